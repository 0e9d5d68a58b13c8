import { GrammyError, InputFile, InputMediaBuilder, type Api } from "grammy";
import type { I18n } from "@grammyjs/i18n";
import type { Redis } from "ioredis";
import type { CoreDeps } from "../../core/deps";
import { renderCard, type T } from "../../core/staff/card";
import { composeCardImage } from "../../core/staff/card-image";
import { imageKeyOf, loadCaseView, openIdNumber } from "../../core/staff/case-view";
import { THRESHOLDS } from "../../core/verification/thresholds";

/** What the staff process works with: the core, Telegram, the locale files, and Redis for the group's state. */
export interface StaffDeps extends CoreDeps {
  api: Api;
  i18n: I18n;
  redis: Redis;
}

/** The staff group's language (STAFF_LOCALE): one card for everyone in it. */
export const staffT = (deps: Pick<StaffDeps, "i18n" | "config">): T => (key, args) => deps.i18n.t(deps.config.STAFF_LOCALE, key, args);

export const isNotModified = (err: unknown) => err instanceof GrammyError && err.error_code === 400 && /not modified/i.test(err.description);
const isMessageGone = (err: unknown) =>
  err instanceof GrammyError && err.error_code === 400 && /message to edit not found|message can't be edited|there is no (media|caption|text)/i.test(err.description);
/** The bot cannot write to the staff group: removed from it, or the group does not exist (any more). */
export const isChatLost = (err: unknown) =>
  err instanceof GrammyError && (err.error_code === 403 || (err.error_code === 400 && /chat not found|group chat was upgraded/i.test(err.description)));

export interface Published {
  messageId: number;
  /** a new message was posted (staff are notified), rather than the existing card edited (silent) */
  created: boolean;
}

/**
 * Posts the card of a case to the staff group, or edits the one it has in place:
 * the photo is replaced only when the photos shown change, otherwise the caption.
 * A card deleted in the group, or one that had no photo and now has photos, is
 * posted anew. `refresh` never posts a first card.
 */
export async function publishCard(deps: StaffDeps, caseId: string, mode: "post" | "refresh"): Promise<Published | null> {
  const chatId = deps.config.STAFF_CHAT_ID;
  if (chatId === undefined) return null;
  const v = await loadCaseView(deps, caseId);
  if (!v || (!v.card && mode === "refresh")) return null;
  const now = deps.now();
  const revealUntil = v.card?.revealUntil && v.card.revealUntil > now ? v.card.revealUntil : null;
  const idNumber = revealUntil ? await openIdNumber(deps, caseId) : null;
  const { text, keyboard } = renderCard(v, staffT(deps), {
    now,
    match: THRESHOLDS.match,
    ...(revealUntil && idNumber ? { revealed: { idNumber, until: revealUntil } } : {}),
    buttons: true,
  });
  const imageKey = imageKeyOf(v);
  const markup = keyboard ? { reply_markup: keyboard } : { reply_markup: { inline_keyboard: [] } };
  const image = () => composeCardImage(deps.photos, v);

  const card = v.card && v.card.chatId === String(chatId) ? v.card : null;
  if (card && (card.hasPhoto || !imageKey)) {
    let gone = false;
    try {
      if (card.hasPhoto && imageKey && imageKey !== card.imageKey) {
        const img = await image();
        await deps.api.editMessageMedia(chatId, card.messageId, InputMediaBuilder.photo(new InputFile(img!, "case.jpg"), { caption: text }), markup);
      } else if (card.hasPhoto) {
        await deps.api.editMessageCaption(chatId, card.messageId, { caption: text, ...markup });
      } else {
        await deps.api.editMessageText(chatId, card.messageId, text, markup);
      }
    } catch (err) {
      if (isMessageGone(err)) gone = true;
      else if (!isNotModified(err)) throw err;
    }
    if (!gone) {
      await deps.db.staffCard.update({
        where: { caseId },
        data: { renderedAt: now, imageKey: card.hasPhoto ? (imageKey ?? card.imageKey) : null, revealUntil },
      });
      return { messageId: card.messageId, created: false };
    }
  } else if (card) {
    // A text card whose case now has photos: replaced by a photo card, the old one removed.
    await deps.api.deleteMessage(chatId, card.messageId).catch(() => undefined);
  }

  const img = imageKey ? await image() : null;
  const sent = img
    ? await deps.api.sendPhoto(chatId, new InputFile(img, "case.jpg"), { caption: text, ...(keyboard ? { reply_markup: keyboard } : {}) })
    : await deps.api.sendMessage(chatId, text, keyboard ? { reply_markup: keyboard } : {});
  const row = { chatId: BigInt(chatId), messageId: sent.message_id, hasPhoto: img !== null, imageKey: img ? imageKey : null, renderedAt: now, revealUntil: null };
  await deps.db.staffCard.upsert({ where: { caseId }, create: { caseId, ...row }, update: row });
  return { messageId: sent.message_id, created: true };
}
