import { UnrecoverableError } from "bullmq";
import { GrammyError, InlineKeyboard } from "grammy";
import { deliverDecisionJobSchema } from "../../core/jobs";
import { isLocale, localeFromLanguageCode } from "../../core/i18n";
import { signalCaseChanged } from "../../core/staff/signals";
import { markSellerUnreachable } from "../../core/verification/sellers";
import { retakeData } from "../notify";
import type { StaffDeps } from "../staff/publish";

/**
 * Tells the seller what staff decided, in the seller's language, once: the decision
 * row records the delivery. Approve and reject close the case; a retake or a new ID
 * photo comes with the button that opens the dialog at that step. 403 (the seller
 * blocked the bot) is final, as for verdicts.
 */
export async function deliverDecision(deps: StaffDeps, data: unknown): Promise<string> {
  const parsed = deliverDecisionJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const d = await deps.db.staffDecision.findUnique({
    where: { id: parsed.data.decisionId },
    include: { case: { select: { id: true, sellerId: true, seller: { select: { telegramChatId: true, locale: true, nextRecheckAt: true } } } } },
  });
  if (!d) throw new UnrecoverableError(`decision ${parsed.data.decisionId} not found`);
  if (d.notifiedAt) return "already told";
  const seller = d.case.seller;
  let outcome = "no chat";
  if (seller.telegramChatId !== null) {
    const locale = isLocale(seller.locale) ? seller.locale : localeFromLanguageCode(null);
    const t = (key: string, args?: Record<string, string | number>) => deps.i18n.t(locale, key, args);
    let text: string;
    let keyboard: InlineKeyboard | undefined;
    switch (d.action) {
      case "approve":
        text = t("decision-approved", { nextRecheck: seller.nextRecheckAt ? seller.nextRecheckAt.toISOString().slice(0, 10) : "-" });
        break;
      case "reject":
        text = t("decision-rejected", { reason: t(`decision-reject-${d.reason ?? "suspected-fraud"}`) });
        break;
      case "retake":
        text = t("decision-retake", { minutes: Math.round(deps.config.CHALLENGE_TTL_SECONDS / 60) });
        keyboard = new InlineKeyboard().text(t("decision-retake-button"), retakeData(d.caseId));
        break;
      case "new_document":
        text = t("decision-new-document");
        keyboard = new InlineKeyboard().text(t("decision-new-document-button"), retakeData(d.caseId));
        break;
    }
    try {
      await deps.api.sendMessage(Number(seller.telegramChatId), text, keyboard ? { reply_markup: keyboard } : {});
      outcome = "sent";
    } catch (err) {
      if (!(err instanceof GrammyError && err.error_code === 403)) throw err;
      await markSellerUnreachable(deps, { sellerId: d.case.sellerId });
      outcome = "unreachable";
    }
  }
  await deps.db.staffDecision.update({ where: { id: d.id }, data: { notifiedAt: deps.now() } });
  await signalCaseChanged(deps, d.caseId);
  return `${d.action}: ${outcome}`;
}
