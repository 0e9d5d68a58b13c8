import { GrammyError, HttpError, type BotError } from "grammy";
import type { I18n } from "@grammyjs/i18n";
import { UserError } from "../core/errors";
import { localeFromLanguageCode } from "../core/i18n";
import type { BotMetrics } from "../core/metrics";
import { markSellerUnreachable } from "../core/verification/sellers";
import type { BotContext } from "./context";

/**
 * The error boundary (bot.catch): classify -> log -> localized reply.
 * A UserError is the user's to fix and is answered with its own message;
 * anything else is logged with context (never message contents) and the user
 * gets an apology; a pending callback query is answered so the button stops spinning.
 */
export async function handleBotError(err: BotError<BotContext>, i18n: Pick<I18n, "t">, metrics?: Pick<BotMetrics, "handlerError">): Promise<void> {
  const ctx = err.ctx;
  const e = err.error;
  const log = ctx.log ?? ctx.deps?.log;
  // The failure may come before the i18n middleware ran (e.g. Redis down in the dedupe step):
  // then answer in the language the client reports.
  const t: (key: string, args?: Record<string, string | number>) => string =
    typeof ctx.t === "function" ? ctx.t : (key, args) => i18n.t(localeFromLanguageCode(ctx.from?.language_code), key, args);
  if (e instanceof UserError) {
    metrics?.handlerError("user");
    await safely(() => ctx.reply(t(e.key, e.args)));
  } else {
    const kind = e instanceof GrammyError ? "telegram" : e instanceof HttpError ? "network" : "internal";
    metrics?.handlerError(kind);
    log?.error({ err: e, kind, updateId: ctx.update.update_id, chatId: ctx.chatId }, "update failed");
    if (e instanceof GrammyError && e.error_code === 403) {
      await markUnreachable(ctx);
      return;
    }
    if (ctx.chat?.type === "private") await safely(() => ctx.reply(t("common-error-internal")));
  }
  if (ctx.callbackQuery) await safely(() => ctx.answerCallbackQuery());
}

/** 403 "bot was blocked": remember it and stop writing to that chat (never retried). */
export async function markUnreachable(ctx: BotContext): Promise<void> {
  if (!ctx.from) return;
  await safely(() => markSellerUnreachable(ctx.deps, { telegramUserId: ctx.from!.id }));
}

async function safely(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // the boundary itself must never throw
  }
}
