import type { CoreDeps } from "../deps";
import type { Prisma } from "../db/client";

/**
 * Seller status changes for the marketplace, written as outbox rows in the same
 * transaction as the change itself: a change that commits is sent (at least once),
 * one that rolls back never is. Delivery, signing and retries: workers/jobs/deliver-webhook.ts.
 * Without MARKETPLACE_WEBHOOK_URL nothing is written.
 */
export const WEBHOOK_EVENT_TYPES = ["seller.verified", "seller.recheck_due", "seller.restricted", "seller.review", "seller.failed", "seller.unverified"] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface SellerEvent {
  sellerId: string;
  type: WebhookEventType;
  caseId?: string | null;
  /** reason codes (core/verification/decision.ts, core/staff/reasons.ts): never identity values */
  reasons?: readonly string[];
  at: Date;
}

export async function emitSellerEvent(
  deps: Pick<CoreDeps, "config">,
  tx: Pick<Prisma.TransactionClient, "webhookEvent">,
  e: SellerEvent,
): Promise<void> {
  if (!deps.config.MARKETPLACE_WEBHOOK_URL) return;
  await tx.webhookEvent.create({
    data: {
      sellerId: e.sellerId,
      type: e.type,
      payload: { case_id: e.caseId ?? null, reasons: [...(e.reasons ?? [])], at: e.at.toISOString() },
      createdAt: e.at,
      nextAttemptAt: e.at,
    },
  });
}

/** The same for many changes at once (the recheck sweep's pages), in the caller's transaction. */
export async function emitSellerEvents(
  deps: Pick<CoreDeps, "config">,
  tx: Pick<Prisma.TransactionClient, "webhookEvent">,
  events: readonly SellerEvent[],
): Promise<void> {
  if (!deps.config.MARKETPLACE_WEBHOOK_URL || !events.length) return;
  await tx.webhookEvent.createMany({
    data: events.map((e) => ({
      sellerId: e.sellerId,
      type: e.type,
      payload: { case_id: e.caseId ?? null, reasons: [...(e.reasons ?? [])], at: e.at.toISOString() },
      createdAt: e.at,
      nextAttemptAt: e.at,
    })),
  });
}
