import type { Queue } from "bullmq";
import { z } from "zod";
import type { CoreDeps } from "../deps";
import { enqueueWebhookJob, webhookJobId, type WebhookJob } from "../jobs";

/**
 * Getting outbox rows (outbox.ts) to the marketplace: which event goes next and when.
 * The POST itself is workers/jobs/deliver-webhook.ts (the staff process).
 *
 * Order: a seller's events go out oldest first. Only a seller's oldest undelivered event
 * (its "head") is ever started; a newer one waits, and the delivery of the head starts
 * the next. The database is the truth (deliveredAt, attempts, nextAttemptAt); the job id
 * `webhook-<event>-<attempts>` makes every enqueue of the same attempt the same job.
 */

export interface WebhookDeps extends Pick<CoreDeps, "db" | "config" | "log" | "now"> {
  webhookQueue: Queue<WebhookJob>;
}

export interface WebhookDeliveryOptions {
  /** a receiver that has not answered by then is cut off, and the attempt counts as failed */
  timeoutMs: number;
  /** the wait after the first failure; it doubles with every further failure ... */
  backoffBaseMs: number;
  /** ... up to this */
  backoffMaxMs: number;
  /** an event failing this long after it was written logs an error at every further failure */
  alertAfterMs: number;
  /** how soon a newer event looks again while an older one of its seller is being sent */
  waitPollMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: Readonly<WebhookDeliveryOptions> = Object.freeze({
  timeoutMs: 10_000,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
  alertAfterMs: 24 * 3_600_000,
  waitPollMs: 5_000,
});

/** 30 s, 1, 2, 4, 8, 16, 32 min, then hourly (defaults); there is no last attempt. */
export function webhookBackoffMs(failures: number, o: Pick<WebhookDeliveryOptions, "backoffBaseMs" | "backoffMaxMs"> = DEFAULT_WEBHOOK_OPTIONS): number {
  return Math.min(o.backoffMaxMs, o.backoffBaseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

// ---------------------------------------------------------------- the body

const storedPayload = z.object({
  case_id: z.string().nullish(),
  reasons: z.array(z.string()).default([]),
});

/** Reason codes look like this ("face-mismatch", "attempts-exhausted"); anything else never leaves. */
const REASON_CODE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

export interface WebhookBodyInput {
  id: string;
  type: string;
  createdAt: Date;
  sellerId: string;
  payload: unknown;
}

/**
 * The JSON the marketplace receives: ids, the event type, reason codes. Never names,
 * ID numbers or phones: the outbox row holds none, and reasons that do not look like
 * codes are dropped here as well.
 */
export function webhookBody(e: WebhookBodyInput, shopId: string | null): string {
  const p = storedPayload.safeParse(e.payload);
  const stored = p.success ? p.data : { case_id: null, reasons: [] };
  return JSON.stringify({
    id: e.id,
    type: e.type,
    created_at: e.createdAt.toISOString(),
    seller: { id: e.sellerId, shop_id: shopId },
    case_id: stored.case_id ?? null,
    reasons: stored.reasons.filter((r) => REASON_CODE.test(r)),
  });
}

// ---------------------------------------------------------------- which event next

const HEAD_ORDER = [{ createdAt: "asc" as const }, { id: "asc" as const }];

/** An older undelivered event of the same seller, which must go out first. */
export async function olderUndelivered(deps: Pick<WebhookDeps, "db">, e: { id: string; sellerId: string; createdAt: Date }) {
  return deps.db.webhookEvent.findFirst({
    where: {
      sellerId: e.sellerId,
      deliveredAt: null,
      OR: [{ createdAt: { lt: e.createdAt } }, { createdAt: e.createdAt, id: { lt: e.id } }],
    },
    orderBy: HEAD_ORDER,
    select: { id: true, nextAttemptAt: true },
  });
}

export type StartOutcome = "added" | "retried" | "promoted" | "in-flight";

/**
 * Makes the event's current attempt run: adds its job, runs a finished one again, or
 * brings a delayed one forward. A job another producer moved at the same moment runs
 * either way ("in-flight").
 */
async function startAttempt(queue: Queue<WebhookJob>, e: { id: string; attempts: number }): Promise<StartOutcome> {
  const data = { eventId: e.id, attempt: e.attempts };
  const jobId = webhookJobId(e.id, e.attempts);
  const job = await queue.getJob(jobId);
  if (!job) {
    await enqueueWebhookJob(queue, data);
    return "added";
  }
  const state = await job.getState();
  try {
    if (state === "completed" || state === "failed") {
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      return "retried";
    }
    if (state === "delayed") {
      await job.promote();
      return "promoted";
    }
  } catch (err) {
    const moved = (await (await queue.getJob(jobId))?.getState()) !== state;
    if (!moved) throw err;
  }
  return "in-flight";
}

export type WakeOutcome = StartOutcome | "none" | "not-due";

/** Starts the seller's oldest undelivered event when it is due (a backing-off one has its delayed job already). */
export async function wakeSeller(deps: WebhookDeps, sellerId: string): Promise<WakeOutcome> {
  const head = await deps.db.webhookEvent.findFirst({
    where: { sellerId, deliveredAt: null },
    orderBy: HEAD_ORDER,
    select: { id: true, attempts: true, nextAttemptAt: true },
  });
  if (!head) return "none";
  if (head.nextAttemptAt > deps.now()) return "not-due";
  return startAttempt(deps.webhookQueue, head);
}

/**
 * Call right after the transaction that wrote events for this seller committed: the
 * first attempt starts now instead of at the next sweep. Best effort: it never throws
 * (a failure is logged, and the sweep sends the event within a minute).
 */
export async function enqueueSellerWebhooks(deps: WebhookDeps, sellerId: string): Promise<void> {
  if (!deps.config.MARKETPLACE_WEBHOOK_URL) return;
  try {
    await wakeSeller(deps, sellerId);
  } catch (err) {
    deps.log.warn({ sellerId, err: (err as Error).message }, "webhook not enqueued; the sweep will send it");
  }
}

/** The same for one event, by its id (its seller's oldest pending event is what starts). */
export async function enqueueWebhook(deps: WebhookDeps, eventId: string): Promise<void> {
  if (!deps.config.MARKETPLACE_WEBHOOK_URL) return;
  try {
    const e = await deps.db.webhookEvent.findUnique({ where: { id: eventId }, select: { sellerId: true } });
    if (e) await wakeSeller(deps, e.sellerId);
  } catch (err) {
    deps.log.warn({ eventId, err: (err as Error).message }, "webhook not enqueued; the sweep will send it");
  }
}

/** Due events looked at per sweep; the next sweep takes the rest. */
export const WEBHOOK_SWEEP_BATCH = 500;

/**
 * The safety net, from the minute sweep: undelivered events whose time has come get
 * their attempt's job (a lost enqueue, a lost delayed job, a failed database write).
 * Idempotent: a rerun, or two sweeps at once, add each attempt's job once. Returns how
 * many jobs it added or restarted.
 */
export async function sweepWebhooks(deps: WebhookDeps, opts: { batch?: number } = {}): Promise<number> {
  if (!deps.config.MARKETPLACE_WEBHOOK_URL) return 0;
  const now = deps.now();
  // Index (deliveredAt, nextAttemptAt).
  const due = await deps.db.webhookEvent.findMany({
    where: { deliveredAt: null, nextAttemptAt: { lte: now } },
    orderBy: { nextAttemptAt: "asc" },
    take: opts.batch ?? WEBHOOK_SWEEP_BATCH,
    select: { sellerId: true },
  });
  if (due.length === 0) return 0;
  // Index (sellerId, createdAt): each seller's oldest undelivered event.
  const heads = await deps.db.webhookEvent.findMany({
    where: { sellerId: { in: [...new Set(due.map((e) => e.sellerId))] }, deliveredAt: null },
    orderBy: [{ sellerId: "asc" }, ...HEAD_ORDER],
    distinct: ["sellerId"],
    select: { id: true, sellerId: true, attempts: true, createdAt: true, nextAttemptAt: true },
  });
  let started = 0;
  for (const head of heads) {
    if (head.nextAttemptAt <= now) {
      if ((await startAttempt(deps.webhookQueue, head)) !== "in-flight") started++;
      continue;
    }
    // The head is backing off: its newer events wait as long, and leave the due list
    // (otherwise a long outage fills every batch with events that cannot go yet).
    await deps.db.webhookEvent.updateMany({
      where: { sellerId: head.sellerId, deliveredAt: null, createdAt: { gte: head.createdAt }, id: { not: head.id }, nextAttemptAt: { lt: head.nextAttemptAt } },
      data: { nextAttemptAt: head.nextAttemptAt },
    });
  }
  return started;
}
