import {
  alertKey,
  DELIVER_DECISION,
  enqueueReminders,
  reminderJobId,
  SEND_REMINDER,
  deliverDecisionJobId,
  enqueueCaseCard,
  enqueueStaffAlert,
  alertJobId,
  requeue,
  STAFF_ALERT,
  VERIFY_SELFIE,
  verifyJobId,
  type StaffAlertJob,
} from "../../core/jobs";
import type { CoreDeps } from "../../core/deps";
import { STUCK_AFTER_MS, UNDELIVERED_AFTER_MS } from "../../core/staff/card";
import { staffChatFailedAt } from "../../core/staff/chat-state";
import { reviewRound, signalReview } from "../../core/staff/signals";
import { countRequeue, escalateFailedCheck, expireAbandonedCases, stuckSubmissions, undeliveredVerdicts } from "../../core/verification/verdicts";
import { purgeExpired } from "../../core/privacy/retention";
import { sweepRechecks } from "../../core/recheck/rechecks";
import { alertJobOf } from "./case-card";
import { sweepWebhooks } from "./deliver-webhook";
import { STALLED_AFTER_MS } from "./staff-alert";
import type { Redis } from "ioredis";

/** A job untouched this long lost its run (Redis lost it, or it failed every attempt): it runs again. */
export const RERUN_AFTER_MS = 2 * 60_000;
/** A check that failed this many re-runs goes to staff instead of running again. */
export const MAX_RERUNS = 3;
/** As long as a dialog's replay log lives in Redis (bot/conversation-storage.ts). */
const ABANDONED_AFTER_MS = 7 * 24 * 3600_000;
/** While the bot is out of the staff group, waiting alerts are retried this often, not every minute. */
const LOST_CHAT_RETRY_MS = 10 * 60_000;

export interface SweepSummary {
  rerun: number;
  escalated: number;
  alerts: number;
  decisions: number;
  expired: number;
  /** photos, identities and face templates deleted by the daily retention run */
  purged: number;
  /** rechecks opened, reminders queued, sellers restricted */
  rechecks: number;
  reminders: number;
  restricted: number;
  /** marketplace status events whose (next) delivery was queued */
  webhooks: number;
}

/**
 * The safety net, every minute, on the core clock: it repairs what the events missed
 * and brings to staff what waits. Everything it does is idempotent (job ids, alert
 * keys, compare-and-set), so two sweeps at once or a rerun change nothing twice.
 */
export async function sweep(deps: CoreDeps & { redis: Redis }): Promise<SweepSummary> {
  const now = deps.now();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const summary: SweepSummary = { rerun: 0, escalated: 0, alerts: 0, decisions: 0, expired: 0, purged: 0, rechecks: 0, reminders: 0, restricted: 0, webhooks: 0 };
  /** Queues an alert unless its row exists: posted, or waiting for step 5. */
  const alert = async (a: StaffAlertJob) => {
    if (await deps.db.staffAlert.findUnique({ where: { key: alertKey(a) }, select: { key: true } })) return;
    await enqueueStaffAlert(deps.staffQueue, a);
    summary.alerts++;
  };

  // 1. Checks that did not finish: run again, and after MAX_RERUNS failures hand the case to staff.
  for (const s of await stuckSubmissions(deps, ago(RERUN_AFTER_MS))) {
    const job = await deps.verifyQueue.getJob(verifyJobId(s.id));
    const state = job ? await job.getState() : "unknown";
    if (state === "failed" && s.requeues >= MAX_RERUNS) {
      const escalated = await escalateFailedCheck(deps, s, job?.failedReason ?? null);
      if (escalated) {
        summary.escalated++;
        await signalReview(deps, s.caseId, escalated.reviewAt);
        // The decided submission's job now only tells the seller.
        await requeue(deps.verifyQueue, VERIFY_SELFIE, { submissionId: s.id, caseId: s.caseId }, verifyJobId(s.id));
      }
      continue;
    }
    if ((await requeue(deps.verifyQueue, VERIFY_SELFIE, { submissionId: s.id, caseId: s.caseId }, verifyJobId(s.id))) !== "in-flight") {
      await countRequeue(deps, s.id);
      summary.rerun++;
    }
    if (now.getTime() - s.createdAt.getTime() > STUCK_AFTER_MS) await alert({ caseId: s.caseId, reason: "stuck", round: String(s.attempt) });
  }

  // 2. Verdicts the seller was not told: deliver again (the job only notifies a decided submission).
  for (const u of await undeliveredVerdicts(deps, ago(RERUN_AFTER_MS))) {
    if ((await requeue(deps.verifyQueue, VERIFY_SELFIE, { submissionId: u.id, caseId: u.caseId }, verifyJobId(u.id))) !== "in-flight") summary.rerun++;
    if (u.decidedAt && now.getTime() - u.decidedAt.getTime() > UNDELIVERED_AFTER_MS) await alert({ caseId: u.caseId, reason: "undelivered", round: String(u.attempt) });
  }

  // 3. Staff decisions the seller was not told.
  const decisions = await deps.db.staffDecision.findMany({ where: { notifiedAt: null, at: { lt: ago(60_000) } }, select: { id: true }, take: 500 });
  for (const d of decisions) {
    if ((await requeue(deps.notifyQueue, DELIVER_DECISION, { decisionId: d.id }, deliverDecisionJobId(d.id))) !== "in-flight") summary.decisions++;
  }

  // 4. Cases in review the staff group has not heard of (a lost event), and reviews waiting too long.
  const reviews = await deps.db.verificationCase.findMany({
    where: { status: "review", reviewAt: { not: null } },
    select: { id: true, reviewAt: true },
    orderBy: { reviewAt: "asc" },
    take: 500,
  });
  const wanted: StaffAlertJob[] = [];
  for (const c of reviews) {
    const round = reviewRound(c.reviewAt!);
    wanted.push({ caseId: c.id, reason: "review", round });
    if (now.getTime() - c.reviewAt!.getTime() > deps.config.STAFF_NUDGE_MINUTES * 60_000) wanted.push({ caseId: c.id, reason: "nudge", round });
  }
  const known = new Set(
    (await deps.db.staffAlert.findMany({ where: { caseId: { in: reviews.map((c) => c.id) } }, select: { key: true } })).map((r) => r.key),
  );
  for (const a of wanted) if (!known.has(alertKey(a))) await alert(a);

  // 5. Alerts that could not be posted (the bot out of the group, Telegram down): again.
  if (deps.config.STAFF_CHAT_ID !== undefined) {
    const failedAt = await staffChatFailedAt(deps.redis, deps.config.REDIS_PREFIX);
    if (!failedAt || now.getTime() - failedAt.getTime() > LOST_CHAT_RETRY_MS) {
      for (const row of await deps.db.staffAlert.findMany({ where: { postedAt: null, createdAt: { lt: ago(60_000) } }, take: 200 })) {
        const job = alertJobOf(row);
        if (job) await requeue(deps.staffQueue, STAFF_ALERT, job, alertJobId(job));
      }
    }
  }

  // 6. A revealed ID number whose minute is over and whose card still shows it (the delayed edit was lost).
  for (const c of await deps.db.staffCard.findMany({ where: { revealUntil: { lt: now } }, select: { caseId: true } })) {
    await enqueueCaseCard(deps.staffQueue, { caseId: c.caseId, at: now.getTime() });
  }

  // 7. One digest a day of dialogs that stopped half-way.
  const day = now.toISOString().slice(0, 10);
  const digested = await deps.db.staffAlert.findUnique({ where: { key: `stalled-digest:${day}` } });
  if (!digested) {
    const stalled = await deps.db.verificationCase.count({
      where: { kind: "initial", status: { in: ["collecting", "awaiting_selfie"] }, updatedAt: { lt: ago(STALLED_AFTER_MS) } },
    });
    if (stalled > 0) await alert({ reason: "stalled-digest", round: day });
  }

  summary.expired = await expireAbandonedCases(deps, ago(ABANDONED_AFTER_MS));

  // 8. Rechecks: open the ones coming due, remind, restrict past the grace period; then reminders that did not go out.
  const rechecks = await sweepRechecks(deps);
  Object.assign(summary, { rechecks: rechecks.opened, restricted: rechecks.restricted });
  await enqueueReminders(deps.remindQueue, rechecks.reminders);
  for (const r of await deps.db.reminder.findMany({ where: { sentAt: null, createdAt: { lt: ago(60_000) } }, select: { key: true }, take: 1000 })) {
    await requeue(deps.remindQueue, SEND_REMINDER, r, reminderJobId(r.key));
  }
  summary.reminders = rechecks.reminders.length;

  // 9. The marketplace's status events due for a (next) delivery, the ones the steps above wrote too.
  summary.webhooks = await sweepWebhooks(deps);

  // 10. Retention, once a day of the core clock; a day with more than a batch goes on at the next sweeps.
  const retentionDone = `${deps.config.REDIS_PREFIX}:retention:done`;
  if ((await deps.redis.get(retentionDone)) !== day) {
    const run = await purgeExpired(deps);
    summary.purged = run.photos + run.identities + run.templates;
    if (run.complete) await deps.redis.set(retentionDone, day);
  }
  return summary;
}
