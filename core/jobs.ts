import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

/**
 * Job contracts shared by producers (bot, CLIs) and workers. Job data holds ids
 * only: no photos, no ID numbers, no tokens (Redis is not the place for PII).
 * Payloads are validated when enqueued AND when taken, because producer and
 * worker may run different versions.
 */

export const QUEUES = {
  /** the photo checks: one job per selfie submission, and one per ID document (its portrait, embedded once) */
  verify: "verify",
  /** posts to the staff group: case cards, alerts, nudges, the daily digest; rate-limited like a Telegram group */
  staff: "staff",
  /** messages to sellers about staff decisions */
  notify: "notify",
  /** the safety net, every minute: stuck, failed and undelivered work */
  sweep: "sweep",
  /** seller status changes POSTed to the marketplace (MARKETPLACE_WEBHOOK_URL) */
  webhook: "webhook",
  /** messages the bot sends on its own: recheck reminders, restrictions, rollout invitations */
  remind: "remind",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** How often a job is tried before it counts as failed (config JOB_ATTEMPTS, JOB_BACKOFF_MS). */
export interface JobRetry {
  attempts: number;
  backoffMs: number;
}

export function jobOptions(r: JobRetry): JobsOptions {
  return {
    attempts: r.attempts,
    backoff: { type: "exponential", delay: r.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

export const verifyJobSchema = z.object({
  submissionId: z.uuid(),
  caseId: z.uuid(),
});
export type VerifyJob = z.infer<typeof verifyJobSchema>;
export const VERIFY_SELFIE = "verify-selfie";

/** BullMQ refuses ':' and integer-like ids; a uuid prefixed by the job kind is neither. */
export function verifyJobId(submissionId: string): string {
  return `verify-${submissionId}`;
}

export function createVerifyQueue(connection: Redis, prefix: string, retry: JobRetry): Queue<CheckJob> {
  return new Queue<CheckJob>(QUEUES.verify, { connection, prefix, defaultJobOptions: jobOptions(retry) });
}

export async function enqueueVerify(queue: Queue<CheckJob>, data: VerifyJob): Promise<void> {
  const payload = verifyJobSchema.parse(data);
  // Same jobId for the same submission: a retried enqueue is a no-op.
  await queue.add(VERIFY_SELFIE, payload, { jobId: verifyJobId(payload.submissionId) });
}

export const embedDocumentJobSchema = z.object({ photoId: z.uuid() });
export type EmbedDocumentJob = z.infer<typeof embedDocumentJobSchema>;
export const EMBED_DOCUMENT = "embed-document";

/**
 * The ID portrait is embedded as soon as the photo arrives (~160 ms of model time),
 * so the selfie check that follows a minute later only compares. Same queue as the
 * checks (the same models), its own job name.
 */
export async function enqueueEmbedDocument(queue: Queue<CheckJob>, data: EmbedDocumentJob): Promise<void> {
  const payload = embedDocumentJobSchema.parse(data);
  await queue.add(EMBED_DOCUMENT, payload, { jobId: `embed-${payload.photoId}` });
}

/** What the verify queue carries; the job name says which. */
export type CheckJob = VerifyJob | EmbedDocumentJob;

// ---------------------------------------------------------------- staff group

/**
 * Why something is brought to staff. `review`: the case waits for a decision;
 * `stuck`: its check has not finished after minutes; `undelivered`: the seller was
 * not told the verdict; `nudge`: a review waited too long; `stalled-digest`: the
 * daily list of dialogs that stopped half-way; `erased`: the seller of a case in
 * review erased their data.
 */
export const ALERT_REASONS = ["review", "stuck", "undelivered", "nudge", "stalled-digest", "erased"] as const;
export type AlertReason = (typeof ALERT_REASONS)[number];

export const staffAlertJobSchema = z.object({
  caseId: z.uuid().optional(),
  reason: z.enum(ALERT_REASONS),
  /** what makes this alert distinct from an earlier one of the same case and reason (a review round, an attempt, a day) */
  round: z.string().regex(/^[0-9A-Za-z_-]{1,40}$/),
});
export type StaffAlertJob = z.infer<typeof staffAlertJobSchema>;
export const STAFF_ALERT = "staff-alert";

/** The alert's identity: its database key (posting is idempotent on it) and its job id. */
export function alertKey(a: StaffAlertJob): string {
  return a.caseId ? `case:${a.caseId}:${a.reason}:${a.round}` : `${a.reason}:${a.round}`;
}
export const alertJobId = (a: StaffAlertJob) => `alert-${alertKey(a).replaceAll(":", "-")}`;

export const caseCardJobSchema = z.object({
  caseId: z.uuid(),
  /** ms timestamp of the change the card should show; also makes the job id */
  at: z.number().int().nonnegative(),
});
export type CaseCardJob = z.infer<typeof caseCardJobSchema>;
export const CASE_CARD = "case-card";

/** The bot is back in the staff group: post what waited, refresh the open cards. */
export const STAFF_RESUME = "staff-resume";
export const staffResumeJobSchema = z.object({ at: z.number().int().nonnegative() });

export type StaffJob = StaffAlertJob | CaseCardJob | z.infer<typeof staffResumeJobSchema>;

export function createStaffQueue(connection: Redis, prefix: string): Queue<StaffJob> {
  return new Queue<StaffJob>(QUEUES.staff, { connection, prefix, defaultJobOptions: jobOptions({ attempts: 3, backoffMs: 5_000 }) });
}

export async function enqueueStaffAlert(queue: Queue<StaffJob>, data: StaffAlertJob): Promise<void> {
  const payload = staffAlertJobSchema.parse(data);
  await queue.add(STAFF_ALERT, payload, { jobId: alertJobId(payload) });
}

export async function enqueueCaseCard(queue: Queue<StaffJob>, data: CaseCardJob, opts: { delayMs?: number } = {}): Promise<void> {
  const payload = caseCardJobSchema.parse(data);
  await queue.add(CASE_CARD, payload, { jobId: `card-${payload.caseId}-${payload.at}`, ...(opts.delayMs ? { delay: opts.delayMs } : {}) });
}

// ---------------------------------------------------------------- sellers, about staff decisions

export const deliverDecisionJobSchema = z.object({ decisionId: z.uuid() });
export type DeliverDecisionJob = z.infer<typeof deliverDecisionJobSchema>;
export const DELIVER_DECISION = "deliver-decision";

export function createNotifyQueue(connection: Redis, prefix: string, retry: JobRetry): Queue<DeliverDecisionJob> {
  return new Queue<DeliverDecisionJob>(QUEUES.notify, { connection, prefix, defaultJobOptions: jobOptions(retry) });
}

export const deliverDecisionJobId = (decisionId: string) => `decision-${decisionId}`;

export async function enqueueDeliverDecision(queue: Queue<DeliverDecisionJob>, data: DeliverDecisionJob): Promise<void> {
  const payload = deliverDecisionJobSchema.parse(data);
  await queue.add(DELIVER_DECISION, payload, { jobId: deliverDecisionJobId(payload.decisionId) });
}

// ---------------------------------------------------------------- the sweep's re-run

export type RequeueOutcome = "added" | "retried" | "in-flight";

/**
 * Runs a job again under its own id. BullMQ ignores `add` while a job with that id
 * is kept (completed or failed jobs stay for a while), so a plain re-add by the
 * sweep would do nothing: a failed or completed job is retried in place, with its
 * attempts counted afresh; a waiting, delayed or active one is left alone.
 */
export async function requeue<T>(queue: Queue<T>, name: string, data: T, jobId: string): Promise<RequeueOutcome> {
  const job = await queue.getJob(jobId);
  const state = job ? await job.getState() : "unknown";
  if (job && (state === "failed" || state === "completed")) {
    await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
    return "retried";
  }
  if (state !== "unknown") return "in-flight";
  await queue.add(name as never, data as never, { jobId });
  return "added";
}

// ---------------------------------------------------------------- marketplace webhooks

/** One delivery attempt of an outbox row (WebhookEvent); `attempt` is the row's `attempts` when it was enqueued. */
export const webhookJobSchema = z.object({
  eventId: z.uuid(),
  attempt: z.number().int().nonnegative(),
});
export type WebhookJob = z.infer<typeof webhookJobSchema>;
export const DELIVER_WEBHOOK = "deliver-webhook";

/** One id per event and attempt: the sweep and the handler that schedules the next attempt agree on it. */
export const webhookJobId = (eventId: string, attempt: number) => `webhook-${eventId}-${attempt}`;

/**
 * One try per job: the outbox row keeps the retries (attempts, nextAttemptAt, lastError),
 * so a receiver that is down for a day costs a row update per attempt, not a job that
 * BullMQ gives up on.
 */
export function createWebhookQueue(connection: Redis, prefix: string): Queue<WebhookJob> {
  return new Queue<WebhookJob>(QUEUES.webhook, {
    connection,
    prefix,
    defaultJobOptions: { ...jobOptions({ attempts: 1, backoffMs: 1_000 }), removeOnFail: { age: 24 * 3600, count: 10_000 } },
  });
}

export async function enqueueWebhookJob(queue: Queue<WebhookJob>, data: WebhookJob, opts: { delayMs?: number } = {}): Promise<void> {
  const payload = webhookJobSchema.parse(data);
  await queue.add(DELIVER_WEBHOOK, payload, { jobId: webhookJobId(payload.eventId, payload.attempt), ...(opts.delayMs ? { delay: opts.delayMs } : {}) });
}

// ---------------------------------------------------------------- reminders

/** A Reminder row to send; the row's key is what makes it once (core/recheck/rechecks.ts). */
export const reminderJobSchema = z.object({ key: z.string().regex(/^(recheck|restricted|invite):[0-9a-f-]{36}:\d{1,15}:-?\d{1,3}$/) });
export type ReminderJob = z.infer<typeof reminderJobSchema>;
export const SEND_REMINDER = "send-reminder";
export const reminderJobId = (key: string) => `remind-${key.replaceAll(":", "-")}`;

export function createRemindQueue(connection: Redis, prefix: string, retry: JobRetry): Queue<ReminderJob> {
  return new Queue<ReminderJob>(QUEUES.remind, { connection, prefix, defaultJobOptions: jobOptions(retry) });
}

export async function enqueueReminder(queue: Queue<ReminderJob>, data: ReminderJob): Promise<void> {
  await enqueueReminders(queue, [data]);
}

/** A sweep's reminders in one round trip per thousand (a rollout wave or a busy recheck day is thousands). */
export async function enqueueReminders(queue: Queue<ReminderJob>, data: readonly ReminderJob[]): Promise<void> {
  for (let i = 0; i < data.length; i += 1000) {
    const batch = data.slice(i, i + 1000).map((d) => reminderJobSchema.parse(d));
    await queue.addBulk(batch.map((payload) => ({ name: SEND_REMINDER, data: payload, opts: { jobId: reminderJobId(payload.key) } })));
  }
}
