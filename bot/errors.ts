import { GrammyError, HttpError, type BotError } from "grammy";
import { UserError } from "../core/errors";
import type { BotContext } from "./context";

/**
 * The error boundary (bot.catch): classify -> log -> localized reply.
 * A UserError is the user's to fix and is answered with its own message;
 * anything else is logged with context (never message contents) and the user
 * gets an apology; a pending callback query is answered so the button stops spinning.
 */
export async function handleBotError(err: BotError<BotContext>): Promise<void> {
  const ctx = err.ctx;
  const e = err.error;
  const log = ctx.log ?? ctx.deps?.log;
  if (e instanceof UserError) {
    await safely(() => ctx.reply(ctx.t(e.key, e.args)));
  } else {
    const kind = e instanceof GrammyError ? "telegram" : e instanceof HttpError ? "network" : "internal";
    log?.error({ err: e, kind, updateId: ctx.update.update_id, chatId: ctx.chatId }, "update failed");
    if (e instanceof GrammyError && e.error_code === 403) {
      await markUnreachable(ctx);
      return;
    }
    if (ctx.chat?.type === "private") await safely(() => ctx.reply(ctx.t("common-error-internal")));
  }
  if (ctx.callbackQuery) await safely(() => ctx.answerCallbackQuery());
}

/** 403 "bot was blocked": remember it and stop writing to that chat (never retried). */
export async function markUnreachable(ctx: BotContext): Promise<void> {
  if (!ctx.from) return;
  await safely(() =>
    ctx.deps.db.seller.updateMany({ where: { telegramUserId: BigInt(ctx.from!.id) }, data: { unreachableAt: new Date() } }),
  );
}

async function safely(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // the boundary itself must never throw
  }
}
