// Errors answered by the Bot API, with Telegram's own texts.

export interface ResponseParameters {
  retry_after?: number;
}

/** A Bot API failure: answered as `{ ok: false, error_code, description, parameters? }`. */
export class ApiError extends Error {
  readonly code: number;
  readonly description: string;
  readonly parameters: ResponseParameters | undefined;

  constructor(code: number, description: string, parameters?: ResponseParameters) {
    super(description);
    this.name = "ApiError";
    this.code = code;
    this.description = description;
    this.parameters = parameters;
  }
}

export const badRequest = (text: string): ApiError => new ApiError(400, `Bad Request: ${text}`);
export const forbidden = (text: string): ApiError => new ApiError(403, `Forbidden: ${text}`);
export const conflict = (text: string): ApiError => new ApiError(409, `Conflict: ${text}`);
export const tooManyRequests = (retryAfter: number): ApiError =>
  new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });

export const unauthorized = (): ApiError => new ApiError(401, "Unauthorized");
export const notFound = (): ApiError => new ApiError(404, "Not Found");
export const payloadTooLarge = (): ApiError => new ApiError(413, "Request Entity Too Large");

export const serverError = (status: 500 | 502): ApiError =>
  new ApiError(status, status === 500 ? "Internal Server Error" : "Bad Gateway");

/** Telegram's texts, shared by several methods. */
export const TEXT = {
  chatNotFound: "chat not found",
  chatIdEmpty: "chat_id is empty",
  textEmpty: "message text is empty",
  textTooLong: "message is too long",
  captionTooLong: "message caption is too long",
  buttonDataInvalid: "BUTTON_DATA_INVALID",
  buttonUrlInvalid: "BUTTON_URL_INVALID",
  blocked: "bot was blocked by the user",
  cantInitiate: "bot can't initiate conversation with a user",
  editNotFound: "message to edit not found",
  deleteNotFound: "message to delete not found",
  copyNotFound: "message to copy not found",
  replyNotFound: "message to be replied not found",
  cantBeEdited: "message can't be edited",
  notModified:
    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  queryTooOld: "query is too old and response timeout expired or query ID is invalid",
  pollTerminated: "terminated by other getUpdates request; make sure that only one bot instance is running",
  webhookActive:
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
} as const;

/** A control API failure: answered as `{ error }` with this HTTP status. */
export class ControlError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ControlError";
    this.status = status;
  }
}
