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

export function createLogger(options: {
  level: string;
  name?: string;
  destination?: pino.DestinationStream;
}): Logger {
  const settings: pino.LoggerOptions = {
    level: options.level,
    name: options.name,
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
