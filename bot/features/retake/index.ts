import { Composer } from "grammy";
import { STAFF_RETAKE_REASONS } from "../../../core/staff/reasons";
import { findSellerByTelegram } from "../../../core/verification/sellers";
import type { BotContext } from "../../context";
import { VERIFY_CONVERSATION, type VerifyArgs } from "../verify/conversation";

const RETAKE = /^retake:([0-9a-f-]{36})$/;

/**
 * The retake button under a failed verdict, or under staff's request for a new selfie
 * or ID photo: a new gesture challenge for the same case while attempts remain. The
 * case must be this seller's and still `failed`, so an old or forged button changes nothing.
 */
export const retakeFeature = new Composer<BotContext>();

retakeFeature.chatType("private").callbackQuery(RETAKE, async (ctx) => {
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const c = seller ? await ctx.deps.db.verificationCase.findUnique({ where: { id: ctx.match[1]! } }) : null;
  if (!seller || !c || c.sellerId !== seller.id || c.status !== "failed" || c.attempts >= c.maxAttempts) {
    await ctx.answerCallbackQuery({ text: ctx.t("retake-not-possible") });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  // No usable portrait on the ID photo (or staff asked for a new one): the ID photo comes first.
  const startAt = c.reasons.includes("reference-unusable") || c.reasons.includes(STAFF_RETAKE_REASONS.new_document) ? "document" : "selfie";
  const args: VerifyArgs = { caseId: c.id, sellerId: seller.id, userId: ctx.from.id, startAt };
  await ctx.conversation.enter(VERIFY_CONVERSATION, args);
});
