import { UnrecoverableError } from "bullmq";
import { GrammyError, InlineKeyboard, type Api } from "grammy";
import type { I18n } from "@grammyjs/i18n";
import type { CoreDeps } from "../../core/deps";
import { isLocale, localeFromLanguageCode } from "../../core/i18n";
import { reminderJobSchema } from "../../core/jobs";
import { restrictionAt } from "../../core/recheck/policy";
import { INVITE_START, recheckData, SELLERS_TURN } from "../../core/recheck/rechecks";
import { markSellerUnreachable } from "../../core/verification/sellers";

export interface ReminderDeps extends CoreDeps {
  /** an Api whose sends take the broadcast share of the Telegram budget (live dialogs go first) */
  broadcastApi: Api;
  i18n: I18n;
}

/**
 * Sends one reminder, once: the row says whether it went out. A reminder whose recheck
 * was done or cancelled meanwhile is not sent. 403 (the seller blocked the bot) is final.
 */
export async function sendReminder(deps: ReminderDeps, data: unknown): Promise<string> {
  const parsed = reminderJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const r = await deps.db.reminder.findUnique({
    where: { key: parsed.data.key },
    include: {
      seller: { select: { id: true, telegramChatId: true, locale: true, restrictedAt: true, status: true } },
      case: { select: { id: true, kind: true, status: true } },
    },
  });
  if (!r) throw new UnrecoverableError(`reminder ${parsed.data.key} not found`);
  if (r.sentAt) return `already ${r.outcome}`;
  const mark = (outcome: string) => deps.db.reminder.update({ where: { key: r.key }, data: { sentAt: deps.now(), outcome } }).then(() => outcome);
  const open = r.kind === "invite" ? r.seller.status === "unverified" : r.case && (SELLERS_TURN as readonly string[]).includes(r.case.status);
  if (!open || (r.kind === "restricted" && !r.seller.restrictedAt)) return mark("obsolete");
  // A seller who never opened the bot can only be reached by the marketplace (their link from sellers:import).
  if (r.seller.telegramChatId === null) return mark("no-chat");

  const locale = isLocale(r.seller.locale) ? r.seller.locale : localeFromLanguageCode(null);
  const t = (key: string, args?: Record<string, string | number>) => deps.i18n.t(locale, key, args);
  const text =
    r.kind === "invite"
      ? t("recheck-invite")
      : r.kind === "restricted"
      ? t("recheck-restricted")
      : r.case!.kind === "unscheduled"
        ? t("recheck-unscheduled", { minutes: Math.round(deps.config.CHALLENGE_TTL_SECONDS / 60) })
        : t("recheck-reminder", {
            offset: r.offsetDays,
            date: r.dueAt.toISOString().slice(0, 10),
            restrictOn: restrictionAt(r.dueAt, deps.config).toISOString().slice(0, 10),
          });
  try {
    const button = r.kind === "invite" ? new InlineKeyboard().text(t("recheck-invite-button"), INVITE_START) : new InlineKeyboard().text(t("recheck-button"), recheckData(r.case!.id));
    await deps.broadcastApi.sendMessage(Number(r.seller.telegramChatId), text, { reply_markup: button });
  } catch (err) {
    if (!(err instanceof GrammyError && err.error_code === 403)) throw err;
    await markSellerUnreachable(deps, { sellerId: r.seller.id });
    return mark("unreachable");
  }
  return mark("sent");
}
