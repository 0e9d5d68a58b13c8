import { UnrecoverableError } from "bullmq";
import { alertKey, staffAlertJobSchema, type StaffAlertJob } from "../../core/jobs";
import { formatAge, shortId } from "../../core/staff/card";
import { clearStaffChatFailure, noteStaffChatFailure } from "../../core/staff/chat-state";
import { staffNames } from "../../core/staff/roles";
import { reviewRound } from "../../core/staff/signals";
import { isChatLost, publishCard, staffT, type Published, type StaffDeps } from "../staff/publish";

/** Dialogs idle this long go into the daily digest (they expire after 7 days, see the sweep). */
export const STALLED_AFTER_MS = 24 * 3600_000;
const DIGEST_LINES = 30;

/**
 * Brings something to staff once. The alert's row is written before anything is
 * posted and marked when the post went out: a rerun of the job, or a second sweep,
 * finds it posted and sends nothing. The first alert of a case posts its card; a
 * later one edits the card (silent in Telegram) and replies to it with one line, so
 * staff are notified. An alert that is no longer true when it runs (the case was
 * decided meanwhile) posts nothing.
 */
export async function staffAlert(deps: StaffDeps, data: unknown): Promise<string> {
  const parsed = staffAlertJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const a = parsed.data;
  if (deps.config.STAFF_CHAT_ID === undefined) return "no staff chat configured";
  const key = alertKey(a);
  await deps.db.staffAlert.createMany({ data: [{ key, caseId: a.caseId ?? null, reason: a.reason }], skipDuplicates: true });
  const row = await deps.db.staffAlert.findUniqueOrThrow({ where: { key } });
  if (row.postedAt) return "already posted";
  let messageId: number | null;
  try {
    messageId = a.reason === "stalled-digest" ? await postDigest(deps) : await postCaseAlert(deps, a);
  } catch (err) {
    if (!isChatLost(err)) throw err;
    await noteStaffChatFailure(deps.redis, deps.config.REDIS_PREFIX, deps.now());
    // Retrying now cannot help; the sweep posts it once the bot is back in the group.
    throw new UnrecoverableError(`staff group unreachable: ${(err as Error).message}`);
  }
  await deps.db.staffAlert.update({ where: { key }, data: { postedAt: deps.now(), messageId } });
  await clearStaffChatFailure(deps.redis, deps.config.REDIS_PREFIX);
  return messageId === null ? "no longer true" : `posted ${messageId}`;
}

async function postCaseAlert(deps: StaffDeps, a: StaffAlertJob): Promise<number | null> {
  const caseId = a.caseId!;
  const c = await deps.db.verificationCase.findUnique({
    where: { id: caseId },
    select: {
      status: true,
      reviewAt: true,
      claimedBy: true,
      seller: { select: { shopId: true, shopName: true } },
      submissions: { orderBy: { attempt: "desc" }, take: 1, select: { attempt: true, status: true, createdAt: true, decidedAt: true, notifiedAt: true } },
    },
  });
  if (!c) return null;
  const sub = c.submissions[0];
  // An erasure closes a case staff already have a card for: that card says so; no card is posted for it.
  const card = a.reason === "erased" ? await publishCard(deps, caseId, "refresh") : await postIfStillTrue(deps, a, c, sub);
  if (!card || card.created) return card?.messageId ?? null;

  const t = staffT(deps);
  const now = deps.now().getTime();
  const since = a.reason === "stuck" ? sub!.createdAt : a.reason === "undelivered" ? (sub!.decidedAt ?? sub!.createdAt) : (c.reviewAt ?? deps.now());
  const holder = c.claimedBy !== null ? (await staffNames(deps, [c.claimedBy])).get(String(c.claimedBy)) : null;
  const text = t(`staff-alert-${a.reason}`, {
    id: shortId(caseId),
    shop: [c.seller.shopId, c.seller.shopName].filter(Boolean).join(" ") || "-",
    age: formatAge(now - since.getTime(), t),
    claimed: holder ? t("staff-alert-nudge-claimed", { name: holder }) : t("staff-alert-nudge-unclaimed"),
  });
  const sent = await deps.api.sendMessage(deps.config.STAFF_CHAT_ID!, text, {
    reply_parameters: { message_id: card.messageId, allow_sending_without_reply: true },
  });
  return sent.message_id;
}

type CaseForAlert = { status: string; reviewAt: Date | null };
type LatestSubmission = { attempt: number; status: string; notifiedAt: Date | null } | undefined;

/** Posts (or edits) the case's card if the alert still holds when it runs; else keeps the card in sync and posts nothing. */
async function postIfStillTrue(deps: StaffDeps, a: StaffAlertJob, c: CaseForAlert, sub: LatestSubmission): Promise<Published | null> {
  const inReview = c.status === "review" && c.reviewAt !== null && reviewRound(c.reviewAt) === a.round;
  const stillTrue =
    a.reason === "review" || a.reason === "nudge"
      ? inReview
      : a.reason === "stuck"
        ? sub?.attempt === Number(a.round) && (sub.status === "queued" || sub.status === "checking")
        : sub?.attempt === Number(a.round) && sub.status === "decided" && !sub.notifiedAt;
  if (!stillTrue) {
    await publishCard(deps, a.caseId!, "refresh");
    return null;
  }
  return publishCard(deps, a.caseId!, "post");
}

/** One message a day for the dialogs that stopped half-way: not a card each. */
async function postDigest(deps: StaffDeps): Promise<number | null> {
  const now = deps.now();
  const where = { kind: "initial" as const, status: { in: ["collecting" as const, "awaiting_selfie" as const] }, updatedAt: { lt: new Date(now.getTime() - STALLED_AFTER_MS) } };
  const [count, rows] = await Promise.all([
    deps.db.verificationCase.count({ where }),
    deps.db.verificationCase.findMany({
      where,
      orderBy: { updatedAt: "asc" },
      take: DIGEST_LINES,
      select: { id: true, status: true, updatedAt: true, seller: { select: { shopId: true, shopName: true, telegramUserId: true } } },
    }),
  ]);
  if (count === 0) return null;
  const t = staffT(deps);
  const lines = [t("staff-digest-title", { count })];
  for (const r of rows) {
    lines.push(
      t("staff-digest-line", {
        id: shortId(r.id),
        shop: [r.seller.shopId, r.seller.shopName].filter(Boolean).join(" ") || `tg ${r.seller.telegramUserId ?? "-"}`,
        step: t(`staff-status-${r.status}`),
        age: formatAge(now.getTime() - r.updatedAt.getTime(), t),
      }),
    );
  }
  if (count > rows.length) lines.push(t("staff-digest-more", { count: count - rows.length }));
  const sent = await deps.api.sendMessage(deps.config.STAFF_CHAT_ID!, lines.join("\n"));
  return sent.message_id;
}
