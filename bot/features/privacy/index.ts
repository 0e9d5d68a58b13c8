import { Composer, InlineKeyboard } from "grammy";
import { erasable, eraseSeller } from "../../../core/privacy/erase";
import { findSellerByTelegram } from "../../../core/verification/sellers";
import { deleteConversation } from "../../conversation-storage";
import type { BotContext } from "../../context";

/** Callback data of the confirmation; an active dialog hands them on (verify/keyboards.ts). */
export const DELETEME = { yes: "deleteme:yes", no: "deleteme:no" } as const;

/**
 * /deleteme: a seller erases what they gave for verification, after confirming.
 * The answer says what goes and what is kept (the masked record of decisions, a
 * keyed digest of the ID number) and why. A second press erases nothing more.
 */
export const privacyFeature = new Composer<BotContext>();
const privateChats = privacyFeature.chatType("private");

privateChats.command("deleteme", async (ctx) => {
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const what = seller ? await erasable(ctx.deps, seller.id) : null;
  if (!what || (!what.photos && !what.identities && !what.template && !what.openCases)) return void (await ctx.reply(ctx.t("deleteme-nothing")));
  const kb = new InlineKeyboard().text(ctx.t("deleteme-yes"), DELETEME.yes).row().text(ctx.t("deleteme-no"), DELETEME.no);
  await ctx.reply(ctx.t("deleteme-confirm"), { reply_markup: kb });
});

privateChats.callbackQuery(DELETEME.no, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  await ctx.reply(ctx.t("deleteme-kept"));
});

privateChats.callbackQuery(DELETEME.yes, async (ctx) => {
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const what = seller ? await erasable(ctx.deps, seller.id) : null;
  if (!seller || !what || (!what.photos && !what.identities && !what.template && !what.openCases)) {
    return void (await ctx.answerCallbackQuery({ text: ctx.t("deleteme-already") }));
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  // The dialog's replay log holds what the seller typed: it goes first.
  await ctx.conversation.exitAll();
  await deleteConversation(ctx.deps.redis, ctx.deps.config.REDIS_PREFIX, ctx.chat.id);
  const done = await eraseSeller(ctx.deps, seller.id, ctx.from.id);
  ctx.log.info({ sellerId: seller.id, photos: done.photos, identities: done.identities, cancelled: done.cancelled.length }, "seller erased their data");
  await ctx.reply(ctx.t("deleteme-done", { photos: done.photos, identities: done.identities }), { reply_markup: { remove_keyboard: true } });
});
