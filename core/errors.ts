/**
 * A problem the user can fix. `key` is a Fluent message id (present in every
 * locale), `args` its variables. The bot's error boundary replies `ctx.t(key, args)`.
 */
export class UserError extends Error {
  constructor(
    readonly key: string,
    readonly args: Record<string, string | number> = {},
  ) {
    super(key);
    this.name = "UserError";
  }
}

/**
 * A camera capture (the Mini App's upload) refused before anything was stored: an HTTP status,
 * a stable code for the page and the logs, and a Fluent key the page shows the seller.
 */
export class CaptureRefused extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413,
    readonly code: string,
    readonly key: string,
  ) {
    super(code);
    this.name = "CaptureRefused";
  }
}
