import pino from "pino";

export type Logger = pino.Logger;

/**
 * Fields that could carry personal data are censored wherever they appear (two levels deep), as a
 * safety net: the code logs ids, not people, in the first place.
 */
const PERSONAL_FIELDS = [
  "name",
  "first_name",
  "last_name",
  "firstName",
  "username",
  "fiscalCode",
  "fiscal_code",
  "phone",
  "address",
  "text",
  "caption",
  "email",
  "password",
  "token",
  "code",
];

/**
 * Scalar fields of an error worth keeping: kinds and codes, never values (Node, pg, Prisma, Telegram,
 * Fastify). `code` is shown as `errorCode` and the name as `type` (as pino's own serializer does):
 * the redaction below censors any `name` and `code`.
 */
const ERROR_FIELDS: [from: string, to: string][] = [
  ["code", "errorCode"],
  ["errno", "errno"],
  ["syscall", "syscall"],
  ["statusCode", "statusCode"],
  ["status", "status"],
  ["error_code", "error_code"],
  ["method", "method"],
];
const MAX_MESSAGE = 300;
const MAX_FIELD = 100;
const MAX_FRAMES = 12;
const MAX_DEPTH = 3;

/**
 * Database errors may quote the values of a query (PostgreSQL's `invalid input syntax for type
 * bigint: "…"`, a trigger's text, Prisma's validation errors print the call's arguments): their
 * message is left out and their code says what happened.
 */
function isDatabaseError(error: Record<string, unknown>, name: string): boolean {
  return (
    name.startsWith("PrismaClient") ||
    name === "DatabaseError" ||
    name === "DriverAdapterError" ||
    (typeof error.severity === "string" && typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code))
  );
}

/**
 * An error as a log line may show it, by allow-list: its name, a message cut short, codes, the
 * stack's frames (without the message line), and its cause the same way. Everything else an error
 * carries is left out, whatever its depth: grammY's `BotError.ctx` (the whole update and the member
 * with their household), `GrammyError.payload` (the text we tried to send), request bodies, pg's
 * `detail` (`Key (…)=(…)`) and Prisma's `meta`.
 */
export function serializeError(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== "object") return String(value).slice(0, MAX_MESSAGE);
  const error = value as Record<string, unknown>;
  // The class says most (pg names its errors "error"); a plain Error keeps the name it was given.
  const className = value instanceof Error ? value.constructor.name : "";
  const name =
    className && className !== "Error" ? className : typeof error.name === "string" ? error.name : "Error";
  const out: Record<string, unknown> = { type: name.slice(0, MAX_FIELD) };
  const database = isDatabaseError(error, name);
  if (typeof error.message === "string") {
    out.message = database ? "[database error: see code]" : error.message.slice(0, MAX_MESSAGE);
  }
  for (const [from, to] of ERROR_FIELDS) {
    const v = error[from];
    if (typeof v === "number" || typeof v === "boolean") out[to] = v;
    else if (typeof v === "string") out[to] = v.slice(0, MAX_FIELD);
  }
  if (typeof error.stack === "string") {
    const frames = error.stack
      .split("\n")
      .filter((line) => line.trimStart().startsWith("at "))
      .slice(0, MAX_FRAMES)
      .map((line) => line.trim());
    if (frames.length > 0) out.stack = frames.join("\n");
  }
  if (depth < MAX_DEPTH) {
    // grammY's BotError and HttpError keep the underlying error in `error`; standard errors in `cause`.
    const cause = error.cause ?? error.error;
    if (cause !== undefined && cause !== null && (typeof cause === "object" || typeof cause === "string")) {
      out.cause = serializeError(cause, depth + 1);
    }
  }
  return out;
}

export function createLogger(options: {
  level: string;
  name?: string;
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    name: options.name,
    // Errors are logged by allow-list (never err.ctx and the like), under either key.
    serializers: { err: serializeError, error: serializeError },
    redact: {
      paths: [
        // Top level too, except "name": pino's own logger name lives there.
        ...PERSONAL_FIELDS.filter((f) => f !== "name"),
        ...PERSONAL_FIELDS.map((f) => `*.${f}`),
        ...PERSONAL_FIELDS.map((f) => `*.*.${f}`),
        ...PERSONAL_FIELDS.map((f) => `*.*.*.${f}`),
        "req.headers.cookie",
        'req.headers["x-telegram-bot-api-secret-token"]',
        'res.headers["set-cookie"]',
      ],
      censor: "[redacted]",
    },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
