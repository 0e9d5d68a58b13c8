import { DelayedError, UnrecoverableError, type Job } from "bullmq";
import { enqueueWebhookJob, webhookJobSchema } from "../../core/jobs";
import {
  DEFAULT_WEBHOOK_OPTIONS,
  olderUndelivered,
  wakeSeller,
  webhookBackoffMs,
  webhookBody,
  type WebhookDeliveryOptions,
  type WebhookDeps,
} from "../../core/webhooks/delivery";
import { SIGNATURE_HEADER, signWebhook } from "../../core/webhooks/signature";

export { enqueueSellerWebhooks, enqueueWebhook, sweepWebhooks } from "../../core/webhooks/delivery";

export const USER_AGENT = "shiren-webhook/1";

type Sent = { ok: true; status: number } | { ok: false; error: string };

const inWords = (ms: number) => (ms < 1_000 ? `${ms} ms` : ms < 60_000 ? `${+(ms / 1_000).toFixed(1)} s` : `${+(ms / 60_000).toFixed(1)} min`);

/** One POST; a receiver that answers nothing within `timeoutMs` is cut off. Only the status counts: 2xx. */
async function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<Sent> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // No redirects: a 3xx would re-send the signed body somewhere the marketplace did not configure.
    const res = await fetch(url, { method: "POST", headers, body, signal, redirect: "manual" });
    // The answer's body is not read: a receiver that streams it slowly must not hold a worker.
    await res.body?.cancel().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : { ok: false, error: `HTTP ${res.status}` };
  } catch (err) {
    if (signal.aborted) return { ok: false, error: `no answer within ${inWords(timeoutMs)}` };
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : (err as Error).message;
    return { ok: false, error: why.slice(0, 200) };
  }
}

/**
 * One delivery attempt of one outbox row, in the staff process. At least once: a
 * receiver that took the event but whose answer was lost gets it again, with the same
 * `X-Shiren-Event-Id`, which is what it dedupes on. A delivered row is never sent again.
 * A failure is written to the row (attempts, lastError, nextAttemptAt with backoff), the
 * next attempt is scheduled, and the job fails with the reason; there is no last attempt.
 */
export async function deliverWebhook(
  deps: WebhookDeps,
  job: Pick<Job, "data" | "moveToDelayed">,
  token: string | undefined,
  opts: WebhookDeliveryOptions = DEFAULT_WEBHOOK_OPTIONS,
): Promise<string> {
  const parsed = webhookJobSchema.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const { eventId, attempt } = parsed.data;
  const url = deps.config.MARKETPLACE_WEBHOOK_URL;
  const secret = deps.config.MARKETPLACE_WEBHOOK_SECRET;
  if (!url || !secret) return "webhooks off: MARKETPLACE_WEBHOOK_URL is not set";

  const e = await deps.db.webhookEvent.findUnique({ where: { id: eventId }, include: { seller: { select: { shopId: true } } } });
  if (!e) throw new UnrecoverableError(`webhook event ${eventId} not found`);
  if (e.deliveredAt) return "already delivered";
  // An old attempt's job run again (the sweep's restart, a stalled job): the current attempt's job owns the event.
  if (e.attempts !== attempt) return `stale: attempt ${attempt}, the event is at attempt ${e.attempts}`;

  const older = await olderUndelivered(deps, e);
  if (older) {
    // Wait for it in the delayed set, under the same job id (so the sweep adds nothing beside it).
    // Its delivery brings this job forward; until then, look again when it is next tried.
    const now = deps.now().getTime();
    const olderAt = older.nextAttemptAt.getTime();
    if (olderAt > now && e.nextAttemptAt.getTime() < olderAt) {
      await deps.db.webhookEvent.updateMany({ where: { id: e.id, deliveredAt: null }, data: { nextAttemptAt: older.nextAttemptAt } });
    }
    const waitMs = olderAt > now ? olderAt - now : opts.waitPollMs;
    if (olderAt <= now) await wakeSeller(deps, e.sellerId);
    if (!token) return `waiting for ${older.id}`;
    await job.moveToDelayed(Date.now() + waitMs, token);
    throw new DelayedError(`webhook ${e.id} waits for the older event ${older.id}`);
  }

  const body = webhookBody(e, e.seller.shopId);
  const sentAt = deps.now();
  const sent = await post(
    url,
    body,
    {
      "content-type": "application/json",
      "user-agent": USER_AGENT,
      [SIGNATURE_HEADER]: signWebhook(secret, Math.floor(sentAt.getTime() / 1000), body),
      "X-Shiren-Event-Id": e.id,
      "X-Shiren-Event-Type": e.type,
    },
    opts.timeoutMs,
  );

  if (sent.ok) {
    await deps.db.webhookEvent.updateMany({ where: { id: e.id, deliveredAt: null }, data: { deliveredAt: deps.now(), attempts: attempt + 1 } });
    try {
      await wakeSeller(deps, e.sellerId); // the seller's next event, which waited for this one
    } catch (err) {
      deps.log.warn({ sellerId: e.sellerId, err: (err as Error).message }, "next webhook of the seller not started; the sweep will");
    }
    return `delivered: HTTP ${sent.status}`;
  }

  const failures = attempt + 1;
  const backoff = webhookBackoffMs(failures, opts);
  const failedAt = deps.now();
  const nextAttemptAt = new Date(failedAt.getTime() + backoff);
  const recorded = await deps.db.webhookEvent.updateMany({
    where: { id: e.id, deliveredAt: null, attempts: attempt },
    data: { attempts: failures, lastError: sent.error, nextAttemptAt },
  });
  if (recorded.count === 1) {
    try {
      await enqueueWebhookJob(deps.webhookQueue, { eventId: e.id, attempt: failures }, { delayMs: backoff });
    } catch (err) {
      deps.log.warn({ eventId: e.id, err: (err as Error).message }, "next webhook attempt not scheduled; the sweep will");
    }
  }
  const failingMs = failedAt.getTime() - e.createdAt.getTime();
  if (failingMs >= opts.alertAfterMs) {
    deps.log.error(
      { eventId: e.id, type: e.type, sellerId: e.sellerId, attempts: failures, lastError: sent.error, failingHours: Math.floor(failingMs / 3_600_000) },
      "marketplace webhook still undelivered",
    );
  }
  throw new Error(`webhook ${e.id} (${e.type}) attempt ${failures} failed: ${sent.error}; next attempt in ${inWords(backoff)}`);
}
