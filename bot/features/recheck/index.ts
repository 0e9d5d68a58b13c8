import { Composer } from "grammy";
import { INVITE_START, openRecheckOf } from "../../../core/recheck/rechecks";
import { UserError } from "../../../core/errors";
import type { Seller, VerificationCase } from "../../../core/db/client";
import { findSellerByTelegram } from "../../../core/verification/sellers";
import type { BotContext } from "../../context";
import { VERIFY_CONVERSATION, type VerifyArgs } from "../verify/conversation";

const RECHECK = /^recheck:([0-9a-f-]{36})$/;
// Imported lazily: the start feature enters rechecks through this module too.
const startOrExplain = async (ctx: BotContext, seller: Seller) => (await import("../start")).startOrExplain(ctx, seller);

/**
 * Enters the dialog for an open recheck: straight to a fresh gesture challenge, the
 * selfie compared with the enrolled face. A seller with no enrolled face (approved by
 * staff without one, or past retention) goes through the whole dialog: never a pass
 * without a comparison.
 */
export async function enterRecheck(ctx: BotContext, seller: Seller, c: VerificationCase): Promise<void> {
  await ctx.conversation.exitAll();
  const args: VerifyArgs = { caseId: c.id, sellerId: seller.id, userId: ctx.from!.id, startAt: seller.faceEmbeddingEnc ? "selfie" : "consent" };
  await ctx.conversation.enter(VERIFY_CONVERSATION, args);
}

/** The button under a recheck reminder or a restriction notice; an old one (the recheck done or cancelled) changes nothing. */
export const recheckFeature = new Composer<BotContext>();

recheckFeature.chatType("private").callbackQuery(RECHECK, async (ctx) => {
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  const c = seller ? await openRecheckOf(ctx.deps, seller.id, ctx.match[1]) : null;
  if (!seller || !c || (c.status === "failed" && c.attempts >= c.maxAttempts)) {
    await ctx.answerCallbackQuery({ text: ctx.t("recheck-not-open") });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  await enterRecheck(ctx, seller, c);
});

/** A rollout invitation's button: the seller's first verification, or wherever it stands. */
recheckFeature.chatType("private").callbackQuery(INVITE_START, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  if (!seller) throw new UserError("start-need-link");
  await startOrExplain(ctx, seller);
});
