import { Composer } from "grammy";
import type { BotContext } from "../../context";

/** Last in line: anything no dialog or command took. */
export const fallbackFeature = new Composer<BotContext>();

// A button from an old message, or forged callback data: say so, change nothing.
fallbackFeature.on("callback_query", (ctx) => ctx.answerCallbackQuery({ text: ctx.t("common-button-stale") }));

fallbackFeature.chatType("private").on("message", (ctx) => ctx.reply(ctx.t("fallback-hint")));
