import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { CaseStatus } from "../db/client";
import { GESTURES, isGesture } from "../verification/gestures";
import { caseCallback, rejectCallback } from "./callbacks";
import type { CaseView } from "./case-view";
import { REJECT_REASONS } from "./reasons";

/**
 * The staff card of a case: plain text (no parse mode, nothing to escape) and its
 * buttons, from a CaseView. Pure: the worker that posts and edits cards and the bot's
 * /case render the same thing.
 */

export type T = (key: string, args?: Record<string, string | number>) => string;

/** Telegram's caption limit; a text message may hold 4096, but the card must fit both. */
export const CARD_MAX_CHARS = 1024;
/** A check that has not finished after this long is shown (and alerted) as stuck. */
export const STUCK_AFTER_MS = 5 * 60_000;
/** A verdict or decision not delivered after this long is shown as undelivered. */
export const UNDELIVERED_AFTER_MS = 5 * 60_000;

const STATUS_EMOJI: Record<CaseStatus, string> = {
  collecting: "📝",
  awaiting_selfie: "🤳",
  queued: "⏳",
  checking: "⏳",
  passed: "✅",
  failed: "🔁",
  review: "🟠",
  rejected: "❌",
  cancelled: "⚪",
  expired: "⚪",
};

export const shortId = (id: string) => id.slice(0, 8);

export function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatAge(ms: number, t: T): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 120) return t("staff-age-minutes", { n: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("staff-age-hours", { n: hours });
  return t("staff-age-days", { n: Math.floor(hours / 24) });
}

const gestureLabel = (g: string) => (isGesture(g) ? `${GESTURES[g].emoji} ${g}` : g);

export interface CardOptions {
  now: Date;
  match: { passScore: number; failScore: number };
  /** set during an admin's timed reveal */
  revealed?: { idNumber: string; until: Date };
  /** false for /case in a private chat: the buttons act on the card in the group */
  buttons: boolean;
}

export function renderCard(v: CaseView, t: T, o: CardOptions): { text: string; keyboard: InlineKeyboardMarkup | undefined } {
  const lines: string[] = [];
  lines.push(t("staff-card-title", { emoji: STATUS_EMOJI[v.status], id: shortId(v.id), status: t(`staff-status-${v.status}`) }));
  const shop = [v.seller.shopId, v.seller.shopName].filter(Boolean).join(" · ") || t("staff-card-no-shop", { user: v.seller.telegramUserId ?? "-" });
  lines.push(t("staff-card-shop", { shop }));
  if (v.identity) {
    lines.push(
      t("staff-card-identity", {
        name: v.identity.nameMask,
        region: t(`identity-region-${v.identity.region}`),
        idNumber: v.identity.idNumberMask,
        phone: v.identity.phoneMask ?? "-",
      }),
    );
  } else lines.push(t("staff-card-no-identity"));
  if (o.revealed) lines.push(t("staff-card-revealed", { idNumber: o.revealed.idNumber, until: formatTime(o.revealed.until) }));
  lines.push(t("staff-card-kind", { kind: t(`staff-kind-${v.kind}`), attempt: v.attempts, maxAttempts: v.maxAttempts }));
  if (v.manualReview) lines.push(t(v.faceConsent ? "staff-card-manual" : "staff-card-manual-no-face"));
  if (v.reasons.length) lines.push(t("staff-card-reasons", { reasons: v.reasons.map((r) => t(`staff-reason-${r}`)).join(", ") }));

  const s = v.latest;
  if (s) {
    lines.push(
      s.matchScore === null
        ? t("staff-card-match-none")
        : t("staff-card-match", { score: s.matchScore.toFixed(2), pass: o.match.passScore.toFixed(2), fail: o.match.failScore.toFixed(2) }),
    );
    lines.push(t("staff-card-gesture", { asked: gestureLabel(s.gesture), seen: s.gesturesDetected.length ? s.gesturesDetected.map(gestureLabel).join(", ") : "-" }));
    const now = o.now.getTime();
    if ((s.status === "queued" || s.status === "checking") && now - s.createdAt.getTime() > STUCK_AFTER_MS) {
      lines.push(t("staff-card-stuck", { age: formatAge(now - s.createdAt.getTime(), t), status: t(`staff-status-${s.status}`) }));
    }
    if (s.status === "decided" && !s.notifiedAt && s.decidedAt && now - s.decidedAt.getTime() > UNDELIVERED_AFTER_MS) {
      lines.push(t("staff-card-undelivered", { age: formatAge(now - s.decidedAt.getTime(), t) }));
    }
  }
  if (v.duplicateFace) {
    lines.push(
      t("staff-card-duplicate-face", { shop: v.duplicateFace.shop, name: v.duplicateFace.nameMask ?? "-", similarity: v.duplicateFace.similarity?.toFixed(2) ?? "-" }),
    );
  }
  if (v.sharedIdNumber) lines.push(t("staff-card-shared-id", { shop: v.sharedIdNumber.shop, name: v.sharedIdNumber.nameMask ?? "-" }));
  if (v.seller.unreachable) lines.push(t("staff-card-unreachable"));
  if (s && v.reference) lines.push(t(`staff-card-photos-${v.reference.kind}`, { attempt: s.attempt }));

  const d = v.lastDecision;
  if (d) {
    const reason = d.reason ? t(`staff-reject-${d.reason}`) : "";
    lines.push(t(`staff-card-decided-${d.action}`, { name: d.by, at: formatTime(d.at), reason }) + (d.notifiedAt ? "" : ` ${t("staff-card-not-told")}`));
  }
  if (v.claimedBy) lines.push(t("staff-card-claimed", { name: v.claimedBy.name }));
  const opened = [t("staff-card-opened", { at: formatTime(v.createdAt) })];
  if (v.status === "review" && v.reviewAt) opened.push(t("staff-card-in-review", { age: formatAge(o.now.getTime() - v.reviewAt.getTime(), t) }));
  lines.push(opened.join(" · "));
  lines.push(t("staff-card-id", { id: v.id }));

  return { text: fit(lines), keyboard: o.buttons ? cardKeyboard(v, t) : undefined };
}

/** Over the caption limit (long reason lists), the middle lines give way; title, identity and id stay. */
function fit(lines: string[]): string {
  const out = [...lines];
  while (out.join("\n").length > CARD_MAX_CHARS && out.length > 4) out.splice(out.length - 3, 1);
  const text = out.join("\n");
  return text.length > CARD_MAX_CHARS ? `${text.slice(0, CARD_MAX_CHARS - 1)}…` : text;
}

const OPEN_FOR_CLAIM: readonly CaseStatus[] = ["collecting", "awaiting_selfie", "queued", "checking", "failed", "review"];

export function cardKeyboard(v: CaseView, t: T): InlineKeyboardMarkup | undefined {
  if (!OPEN_FOR_CLAIM.includes(v.status)) return undefined;
  const rows: InlineKeyboardButton[][] = [];
  const btn = (key: string, data: string): InlineKeyboardButton => ({ text: t(key), callback_data: data });
  rows.push([v.claimedBy ? btn("staff-btn-release", caseCallback("release", v.id)) : btn("staff-btn-claim", caseCallback("claim", v.id))]);
  if (v.status === "review") {
    rows.push([btn("staff-btn-approve", caseCallback("approve", v.id)), btn("staff-btn-reject", caseCallback("reject", v.id))]);
    if (v.faceConsent && v.identity) rows.push([btn("staff-btn-retake", caseCallback("retake", v.id)), btn("staff-btn-new-document", caseCallback("newdoc", v.id))]);
  }
  if (v.identity) rows.push([btn("staff-btn-reveal", caseCallback("reveal", v.id))]);
  return { inline_keyboard: rows };
}

/** The reason picker that replaces the card's buttons after Reject. */
export function rejectPicker(caseId: string, t: T): InlineKeyboardMarkup {
  return {
    inline_keyboard: [
      ...REJECT_REASONS.map((r) => [{ text: t(`staff-reject-${r}`), callback_data: rejectCallback(caseId, r) }]),
      [{ text: t("staff-btn-back"), callback_data: caseCallback("back", caseId) }],
    ],
  };
}
