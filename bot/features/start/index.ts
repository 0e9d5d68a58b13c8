import { Composer } from "grammy";
import { UserError } from "../../../core/errors";
import { localeFromLanguageCode, type Locale } from "../../../core/i18n";
import { latestCase, startCase } from "../../../core/verification/cases";
import { bindSellerByToken, enrolOpen, findSellerByTelegram } from "../../../core/verification/sellers";
import type { Seller } from "../../../core/db/client";
import type { BotContext } from "../../context";
import { CB, resumeKeyboard } from "../verify/keyboards";
import { openRecheckOf } from "../../../core/recheck/rechecks";
import { enterRecheck } from "../recheck";
import { VERIFY_CONVERSATION, type VerifyArgs } from "../verify/conversation";

async function currentLocale(ctx: BotContext): Promise<Locale> {
  const l = await ctx.i18n.getLocale();
  return l === "zh-Hans" || l === "zh-Hant" || l === "en" ? l : localeFromLanguageCode(ctx.from?.language_code);
}

/** Starts a fresh case and enters the dialog at consent. */
export async function beginDialog(ctx: BotContext, seller: Seller): Promise<void> {
  const c = await startCase(ctx.deps, seller.id, ctx.from!.id);
  const args: VerifyArgs = { caseId: c.id, sellerId: seller.id, userId: ctx.from!.id, startAt: "consent" };
  await ctx.conversation.enter(VERIFY_CONVERSATION, args);
}

/** Where a seller with no active dialog stands, and what /start should do about it. */
export async function startOrExplain(ctx: BotContext, seller: Seller): Promise<void> {
  // A recheck waiting for the seller is what /start continues (never a fresh first verification).
  const recheck = await openRecheckOf(ctx.deps, seller.id);
  if (recheck && !(recheck.status === "failed" && recheck.attempts >= recheck.maxAttempts)) return enterRecheck(ctx, seller, recheck);
  const c = await latestCase(ctx.deps, seller.id);
  if (c && (c.status === "queued" || c.status === "checking")) return void (await ctx.reply(ctx.t("start-check-in-progress")));
  if (c && c.status === "review") return void (await ctx.reply(ctx.t("start-in-review")));
  if (seller.status === "verified" && (!c || c.status === "passed")) return void (await ctx.reply(ctx.t("start-already-verified")));
  const shop = seller.shopName ?? seller.shopId;
  await ctx.reply(shop ? ctx.t("start-welcome-shop", { shop }) : ctx.t("start-welcome"));
  await beginDialog(ctx, seller);
}

/** Handlers that must run BEFORE the conversation middleware, or an active dialog would swallow them. */
export const startFeature = new Composer<BotContext>();
const startFeaturePrivate = startFeature.chatType("private");

startFeaturePrivate.command("start", async (ctx) => {
  const who = { userId: ctx.from.id, chatId: ctx.chat.id, locale: await currentLocale(ctx) };
  const token = ctx.match.trim();
  let seller: Seller | null;
  if (token) {
    seller = await bindSellerByToken(ctx.deps, token, who);
  } else {
    seller = await findSellerByTelegram(ctx.deps, who.userId);
    if (!seller) {
      if (!ctx.deps.config.OPEN_ENROLMENT) throw new UserError("start-need-link");
      seller = await enrolOpen(ctx.deps, who);
    }
  }
  if (ctx.conversation.active(VERIFY_CONVERSATION) > 0) {
    await ctx.reply(ctx.t("start-resume-or-restart"), { reply_markup: resumeKeyboard(ctx.t) });
    return;
  }
  await startOrExplain(ctx, seller);
});

startFeaturePrivate.callbackQuery(CB.restart, async (ctx) => {
  // The offer is only meaningful while that dialog is still open; later (e.g. after the
  // selfie was queued) an old button must not start a second verification.
  if (ctx.conversation.active(VERIFY_CONVERSATION) === 0) return void (await ctx.answerCallbackQuery({ text: ctx.t("common-button-stale") }));
  await ctx.answerCallbackQuery();
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  if (!seller) throw new UserError("start-need-link");
  await ctx.conversation.exitAll();
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: [] } }).catch(() => undefined);
  await ctx.reply(ctx.t("start-restarted"));
  // Restarting a recheck restarts the recheck (a fresh challenge), not a first verification.
  const recheck = await openRecheckOf(ctx.deps, seller.id);
  if (recheck) return enterRecheck(ctx, seller, recheck);
  await beginDialog(ctx, seller);
});

/** Reached only when no dialog is active (an active one consumes the resume button itself). */
export const resumeFallbackFeature = new Composer<BotContext>();
const resumeFallbackFeaturePrivate = resumeFallbackFeature.chatType("private");

resumeFallbackFeaturePrivate.callbackQuery(CB.resume, async (ctx) => {
  await ctx.answerCallbackQuery();
  const seller = await findSellerByTelegram(ctx.deps, ctx.from.id);
  if (!seller) throw new UserError("start-need-link");
  await startOrExplain(ctx, seller);
});
