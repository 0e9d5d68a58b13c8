import type { InlineKeyboardMarkup } from "grammy/types";
import type { AuditEvent } from "../../../core/db/client";
import type { Refusal } from "../../../core/staff/actions";
import { formatAge, formatTime, shortId, type T } from "../../../core/staff/card";
import { queueCallback, caseCallback } from "../../../core/staff/callbacks";
import type { QueueItem, SellerHistory, StaffStats } from "../../../core/staff/queries";

/** Texts of the staff commands, from the data core/staff returns. Pure: tests render them too. */

export const QUEUE_PAGE_SIZE = 8;

const STATUS_EMOJI: Record<string, string> = { review: "🟠", queued: "⏳", checking: "⏳" };

export function queueView(items: QueueItem[], total: number, page: number, t: T, now: Date): { text: string; keyboard?: InlineKeyboardMarkup } {
  if (total === 0) return { text: t("queue-empty") };
  const from = page * QUEUE_PAGE_SIZE + 1;
  const lines = [t("queue-title", { from, to: from + items.length - 1, total })];
  items.forEach((c, i) =>
    lines.push(
      t("queue-line", {
        n: from + i,
        emoji: STATUS_EMOJI[c.status] ?? "•",
        id: shortId(c.id),
        shop: c.shop ?? "-",
        reasons: c.reasons.length ? c.reasons.map((r) => t(`staff-reason-${r}`)).join(", ") : t(`staff-status-${c.status}`),
        age: formatAge(now.getTime() - c.since.getTime(), t),
        claimed: c.claimedBy ? ` ${t("queue-claimed", { name: c.claimedBy })}` : "",
      }),
    ),
  );
  const rows = items.map((c) => [{ text: t("queue-btn-open", { id: shortId(c.id) }), callback_data: caseCallback("open", c.id) }]);
  const paging = [];
  if (page > 0) paging.push({ text: t("queue-btn-prev"), callback_data: queueCallback(page - 1) });
  if (from - 1 + items.length < total) paging.push({ text: t("queue-btn-next"), callback_data: queueCallback(page + 1) });
  if (paging.length) rows.push(paging);
  return { text: lines.join("\n"), keyboard: { inline_keyboard: rows } };
}

export function refusalText(r: Refusal, t: T): string {
  switch (r.kind) {
    case "claimed":
      return t("staff-refused-claimed", { holder: r.holder });
    case "closed":
      return t("staff-refused-closed", { status: t(`staff-status-${r.status}`), by: r.by ? t("staff-refused-closed-by", { name: r.by }) : "" }).trim();
    case "not-in-review":
      return t("staff-refused-not-in-review", { status: t(`staff-status-${r.status}`) });
    case "no-face-consent":
      return t("staff-refused-no-face-consent");
    case "admin-only":
      return t("staff-refused-admin-only");
    case "not-found":
      return t("staff-refused-not-found");
  }
}

/** One audit entry as a line: what happened, by whom, and the before/after it recorded. */
export function trailLine(e: AuditEvent, t: T, names: Map<string, string>): string {
  const actor = e.actorType === "staff" ? (names.get(e.actorId) ?? e.actorId) : `${e.actorType} ${e.actorId}`;
  return t("case-trail-line", { at: formatTime(e.at), actor, action: e.action, details: details(e.data) });
}

function details(data: unknown): string {
  if (!data || typeof data !== "object" || Array.isArray(data)) return "";
  const d = data as Record<string, unknown>;
  const parts: string[] = [];
  const before = d.before && typeof d.before === "object" ? (d.before as Record<string, unknown>) : null;
  const after = d.after && typeof d.after === "object" ? (d.after as Record<string, unknown>) : null;
  for (const k of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) parts.push(`${k}: ${String(before?.[k] ?? "-")} → ${String(after?.[k] ?? "-")}`);
  for (const [k, v] of Object.entries(d)) {
    if (k === "before" || k === "after" || v === null || v === undefined) continue;
    if (Array.isArray(v)) parts.push(`${k}: ${v.join(",") || "-"}`);
    else if (typeof v !== "object") parts.push(`${k}: ${String(v)}`);
  }
  const s = parts.join("; ");
  return s ? ` (${s.length > 160 ? `${s.slice(0, 159)}…` : s})` : "";
}

/** Card text and trail in one message, within Telegram's 4096 characters: the oldest entries give way first. */
export function caseWithTrail(card: string, caseId: string, lines: string[], t: T): string {
  const head = `${card}\n\n${t("case-trail-title", { id: shortId(caseId) })}`;
  const body = lines.length ? [...lines] : [t("case-trail-empty")];
  while (body.length > 1 && `${head}\n${body.join("\n")}`.length > 4096) body.shift();
  return `${head}\n${body.join("\n")}`.slice(0, 4096);
}

export function sellerView(h: SellerHistory, t: T): string {
  const s = h.seller;
  const lines = [
    t("seller-title", { shop: [s.shopId, s.shopName].filter(Boolean).join(" · ") || "-", status: t(`status-seller-${s.status}`) }),
    t("seller-details", {
      user: s.telegramUserId ?? "-",
      reachable: t(s.unreachable ? "seller-unreachable" : "seller-reachable"),
      next: s.nextRecheckAt ? s.nextRecheckAt.toISOString().slice(0, 10) : "-",
      flags: s.riskFlags.join(", ") || "-",
    }),
    "",
    t("seller-cases-title"),
  ];
  if (!h.cases.length) lines.push(t("seller-none"));
  for (const c of h.cases) {
    lines.push(t("seller-case-line", { id: shortId(c.id), kind: t(`staff-kind-${c.kind}`), status: t(`staff-status-${c.status}`), at: formatTime(c.createdAt) }));
  }
  lines.push("", t("seller-decisions-title"));
  if (!h.decisions.length) lines.push(t("seller-none"));
  for (const d of h.decisions) {
    lines.push(
      t("seller-decision-line", {
        at: formatTime(d.at),
        action: t(`seller-action-${d.action}`),
        name: d.by,
        id: shortId(d.caseId),
        reason: d.reason ? `: ${t(`staff-reject-${d.reason}`)}` : "",
      }),
    );
  }
  return lines.join("\n");
}

export type QueueDepths = Record<string, { waiting: number; active: number; delayed: number; failed: number }>;

const pct = (n: number, total: number) => (total ? `${((100 * n) / total).toFixed(1)}%` : "-");
const secs = (s: number | null) => (s === null ? "-" : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

export function statsView(s: StaffStats, queues: QueueDepths, t: T, now: Date): string {
  const list = (m: Record<string, number | undefined>, label: (k: string) => string) =>
    Object.entries(m)
      .filter(([, n]) => n)
      .map(([k, n]) => `${label(k)} ${n}`)
      .join(" · ") || "-";
  const lines = [
    t("stats-title", { at: formatTime(now) }),
    t("stats-cases", { list: list(s.casesByStatus, (k) => k) }),
    t("stats-sellers", { list: list(s.sellersByStatus, (k) => k) }),
  ];
  for (const [w, key] of [
    [s.day, "stats-window-day"],
    [s.week, "stats-window-week"],
  ] as const) {
    const total = w.verdicts.pass + w.verdicts.fail + w.verdicts.review;
    lines.push(
      t("stats-verdicts", {
        window: t(key),
        total,
        pass: pct(w.verdicts.pass, total),
        fail: pct(w.verdicts.fail, total),
        review: pct(w.verdicts.review, total),
      }),
    );
    lines.push(t("stats-times", { window: t(key), median: secs(w.medianSeconds), p95: secs(w.p95Seconds), count: w.timed }));
  }
  lines.push(
    t("stats-queues", {
      list: Object.entries(queues)
        .map(([q, c]) => `${q} ${c.waiting}/${c.active}/${c.delayed}/${c.failed}`)
        .join(" · "),
    }),
  );
  lines.push(
    s.oldestOpen
      ? t("stats-oldest", { id: shortId(s.oldestOpen.id), status: t(`staff-status-${s.oldestOpen.status}`), age: formatAge(now.getTime() - s.oldestOpen.since.getTime(), t) })
      : t("stats-oldest-none"),
  );
  lines.push(t("stats-unreachable", { count: s.unreachableSellers }));
  return lines.join("\n");
}
