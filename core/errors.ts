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
