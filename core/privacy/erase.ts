import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import { enqueueStaffAlert } from "../jobs";
import { OPEN_STATUSES } from "../verification/case-state";
import { emitSellerEvent } from "../webhooks/outbox";
import { enqueueSellerWebhooks } from "../webhooks/delivery";
import { dropFaceTemplate, purgeIdentities, purgePhotos } from "./purge";

/** What a seller's /deleteme would erase now; all zero when there is nothing left. */
export async function erasable(deps: Pick<CoreDeps, "db">, sellerId: string): Promise<{ photos: number; identities: number; template: boolean; openCases: number }> {
  const [photos, identities, seller, openCases] = await Promise.all([
    deps.db.photo.count({ where: { sellerId, purgedAt: null } }),
    deps.db.identity.count({ where: { sellerId, purgedAt: null } }),
    deps.db.seller.findUnique({ where: { id: sellerId }, select: { faceEmbeddingEnc: true } }),
    deps.db.verificationCase.count({ where: { sellerId, status: { in: [...OPEN_STATUSES] } } }),
  ]);
  return { photos, identities, template: Boolean(seller?.faceEmbeddingEnc), openCases };
}

export interface Erasure {
  /** open cases that were cancelled, and of those the ones staff were reviewing */
  cancelled: string[];
  inReview: string[];
  photos: number;
  identities: number;
  template: boolean;
}

/**
 * A seller's /deleteme: open cases are cancelled (a check still waiting in the queue
 * finds its submission closed and sends nothing), then photos, the face template and
 * the identity ciphertext go, and the shop is shown unverified. Kept: the audit of
 * what was decided, masks and keyed digests (so the same ID number cannot be erased
 * and then reused for another shop unseen). Safe to run twice or to resume.
 */
export async function eraseSeller(deps: Pick<CoreDeps, "db" | "photos" | "now" | "staffQueue" | "log" | "config" | "webhookQueue">, sellerId: string, actorUserId: number): Promise<Erasure> {
  const now = deps.now();
  const open = await deps.db.verificationCase.findMany({ where: { sellerId, status: { in: [...OPEN_STATUSES] } }, select: { id: true, status: true } });
  const cancelled: string[] = [];
  const inReview: string[] = [];
  for (const c of open) {
    const moved = await deps.db.$transaction(async (tx) => {
      const r = await tx.verificationCase.updateMany({ where: { id: c.id, status: c.status }, data: { status: "cancelled", closedAt: now, claimedBy: null } });
      if (!r.count) return false;
      await tx.submission.updateMany({
        where: { caseId: c.id, status: { not: "decided" } },
        data: { status: "decided", reasons: ["erased"], decidedAt: now, notifiedAt: now },
      });
      await audit(tx, {
        actorType: "seller",
        actorId: String(actorUserId),
        action: "case.cancelled",
        sellerId,
        caseId: c.id,
        data: { why: "erased", before: { status: c.status }, after: { status: "cancelled" } },
      });
      return true;
    });
    if (!moved) continue;
    cancelled.push(c.id);
    if (c.status === "review") inReview.push(c.id);
  }

  let photos = 0;
  for (let n = -1; n !== 0; ) photos += n = await purgePhotos(deps, { sellerId });
  const identities = await purgeIdentities(deps, { sellerId }, 10_000);
  const template = await deps.db.$transaction(async (tx) => {
    const dropped = await dropFaceTemplate(tx, sellerId);
    await tx.seller.update({ where: { id: sellerId }, data: { status: "unverified", nextRecheckAt: null, unscheduledRecheckAt: null, restrictedAt: null, erasedAt: now } });
    await emitSellerEvent(deps, tx, { sellerId, type: "seller.unverified", reasons: ["erased"], at: now });
    return dropped;
  });
  await audit(deps.db, {
    actorType: "seller",
    actorId: String(actorUserId),
    action: "seller.erased",
    sellerId,
    data: { cancelled, photos, identities, template },
  });
  await enqueueSellerWebhooks(deps, sellerId);
  // Staff reviewing the seller learn why the case they hold just closed.
  for (const caseId of inReview) {
    await enqueueStaffAlert(deps.staffQueue, { caseId, reason: "erased", round: String(now.getTime()) }).catch((err: unknown) =>
      deps.log.warn({ err, caseId }, "could not tell staff about the erasure; the card shows it at its next refresh"),
    );
  }
  return { cancelled, inReview, photos, identities, template };
}
