import { pino, type Logger } from "pino";

export type { Logger };

/**
 * Identity data must never reach a log line. Redaction is the safety net; the
 * first line of defence is that code logs ids and codes, not values.
 */
export const REDACT_PATHS = [
  "idNumber", "*.idNumber", "phone", "*.phone", "phone_number", "*.phone_number", "*.*.phone_number",
  "*.fullName", "fullName", "token", "*.token", "botToken", "PII_KEY", "*.PII_KEY",
  "text", "*.text", "message.text", "*.message.text", "contact", "*.contact", "*.*.contact",
  "update.message", "update.callback_query.message", "headers.authorization",
];

export function createLogger(opts: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: opts.level,
      name: opts.name,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
    },
    opts.destination,
  );
}
