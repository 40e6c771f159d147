// The Telegram sandbox's control API, spoken over HTTP: the admin panel never imports sandbox/, it
// only knows the URL it is given in demo mode.
import { z } from "zod";

const TIMEOUT_MS = 5000;

const entitySchema = z.object({
  type: z.string(),
  offset: z.number(),
  length: z.number(),
  url: z.string().optional(),
});

const buttonSchema = z.looseObject({
  text: z.string(),
  callback_data: z.string().optional(),
  url: z.string().optional(),
});
const replyButtonSchema = z.union([z.string(), z.looseObject({ text: z.string() })]);

export const transcriptEntrySchema = z.object({
  message_id: z.number(),
  from: z.enum(["user", "bot"]),
  text: z.string().optional(),
  entities: z.array(entitySchema).optional(),
  caption: z.string().optional(),
  kind: z.string(),
  reply_markup: z
    .looseObject({
      inline_keyboard: z.array(z.array(buttonSchema)).optional(),
      keyboard: z.array(z.array(replyButtonSchema)).optional(),
      remove_keyboard: z.boolean().optional(),
    })
    .optional(),
  document: z.looseObject({ file_id: z.string().optional(), file_name: z.string().optional() }).optional(),
  date: z.number(),
  edited: z.boolean().default(false),
  deleted: z.boolean().default(false),
});

export type TranscriptEntry = z.infer<typeof transcriptEntrySchema>;

// The control API may answer with the list itself or wrap it; accept the shapes a JSON API commonly uses.
const transcriptSchema = z.union([
  z.array(transcriptEntrySchema),
  z.object({ messages: z.array(transcriptEntrySchema) }).transform((r) => r.messages),
  z.object({ result: z.array(transcriptEntrySchema) }).transform((r) => r.result),
]);

const userSchema = z.union([
  z.looseObject({ id: z.number() }),
  z.object({ result: z.looseObject({ id: z.number() }) }).transform((r) => r.result),
  z.object({ user: z.looseObject({ id: z.number() }) }).transform((r) => r.user),
]);

export class SandboxError extends Error {
  /** The HTTP status the sandbox answered, or 0 when it could not be reached. */
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export type SandboxClient = {
  createUser(input: { firstName: string; languageCode: string }): Promise<{ id: number }>;
  send(userId: number, text: string): Promise<void>;
  press(userId: number, messageId: number, data: string): Promise<void>;
  transcript(chatId: number): Promise<TranscriptEntry[]>;
  /** A file the bot sent (a document), as the sandbox stored it. */
  file(fileId: string): Promise<{ data: Buffer; contentType: string }>;
};

/** The largest file the page passes on: the bot's documents are small (Telegram's own cap is 50 MB). */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export function createSandboxClient(baseUrl: string): SandboxClient {
  const root = baseUrl.replace(/\/+$/, "");

  async function call(method: "GET" | "POST", path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${root}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new SandboxError(0, `sandbox unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok)
      throw new SandboxError(response.status, `sandbox answered ${response.status} to ${method} ${path}`);
    try {
      return text === "" ? null : JSON.parse(text);
    } catch {
      throw new SandboxError(502, `sandbox answered non-JSON to ${method} ${path}`);
    }
  }

  return {
    async createUser(input) {
      const created = await call("POST", "/control/users", {
        first_name: input.firstName,
        language_code: input.languageCode,
      });
      const parsed = userSchema.safeParse(created);
      if (!parsed.success) throw new SandboxError(502, "unexpected answer to POST /control/users");
      return { id: parsed.data.id };
    },
    async send(userId, text) {
      await call("POST", `/control/users/${userId}/send`, { text });
    },
    async press(userId, messageId, data) {
      await call("POST", `/control/users/${userId}/press`, { message_id: messageId, data });
    },
    async file(fileId) {
      let response: Response;
      try {
        response = await fetch(`${root}/control/files/${encodeURIComponent(fileId)}`, {
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw new SandboxError(0, `sandbox unreachable: ${(error as Error).message}`);
      }
      if (!response.ok)
        throw new SandboxError(response.status, `sandbox answered ${response.status} to a file`);
      const data = Buffer.from(await response.arrayBuffer());
      if (data.length > MAX_FILE_BYTES) throw new SandboxError(502, "file too large for the demo page");
      return { data, contentType: response.headers.get("content-type") ?? "application/octet-stream" };
    },
    async transcript(chatId) {
      let answer: unknown;
      try {
        answer = await call("GET", `/control/chats/${chatId}/transcript`);
      } catch (error) {
        // A chat nobody has written in yet is unknown to the sandbox: that is an empty chat.
        if (error instanceof SandboxError && error.status === 404) return [];
        throw error;
      }
      const parsed = transcriptSchema.safeParse(answer);
      if (!parsed.success) throw new SandboxError(502, "unexpected answer to GET transcript");
      return parsed.data;
    },
  };
}
