import { GrammyError, InlineKeyboard, type Api } from "grammy";
import type { I18n } from "@grammyjs/i18n";
import { isLocale, localeFromLanguageCode } from "../core/i18n";
import type { LoadedSubmission } from "../core/verification/verdicts";
import type { Decision } from "../core/verification/decision";

/** Callback data of the retake button; bot/features/retake handles it. */
export const retakeData = (caseId: string) => `retake:${caseId}`;

export type NotifyOutcome = "sent" | "unreachable" | "no-chat";

/**
 * Tells the seller the verdict in their language, with a reason they can act on and,
 * after a fail with attempts left, a button for a retake with a new gesture.
 * 403 (the seller blocked the bot) is final: the seller is marked unreachable.
 */
export async function sendVerdict(
  api: Api,
  i18n: I18n,
  s: LoadedSubmission,
  decision: Decision,
  nextRecheck: Date | null,
  markUnreachable: () => Promise<void>,
): Promise<NotifyOutcome> {
  const seller = s.case.seller;
  if (!seller.telegramChatId) return "no-chat";
  const locale = isLocale(seller.locale) ? seller.locale : localeFromLanguageCode(null);
  const t = (key: string, args?: Record<string, string | number>) => i18n.t(locale, key, args);
  const reasons = decision.reasons.map((r) => `• ${t(`verdict-reason-${r}`)}`).join("\n");
  const attemptsLeft = Math.max(0, s.case.maxAttempts - s.attempt);
  let text: string;
  let keyboard: InlineKeyboard | undefined;
  if (decision.verdict === "pass") text = t("result-pass", { nextRecheck: nextRecheck ? nextRecheck.toISOString().slice(0, 10) : "-" });
  else if (decision.verdict === "review") text = t("result-review", { reasons: reasons || "-" });
  else {
    text = t("result-fail", { reasons, attemptsLeft });
    keyboard = new InlineKeyboard().text(t("result-retake-button"), retakeData(s.caseId));
  }
  try {
    await api.sendMessage(Number(seller.telegramChatId), text, keyboard ? { reply_markup: keyboard } : {});
    return "sent";
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 403) {
      await markUnreachable();
      return "unreachable";
    }
    throw err;
  }
}
