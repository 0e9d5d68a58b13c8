import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { Prisma } from "../db/client";
import { dropFaceTemplate, purgeIdentities, purgePhotos } from "./purge";

/**
 * What the consent text promises, carried out: photos, the face template and the
 * ciphertext of identity fields are deleted RETENTION_DAYS after the case that
 * collected them closed (a pass, a rejection, a cancellation, an expiry). That comes
 * no later than the promised "after your shop closes", since a case closes first.
 * A seller re-verified since keeps the newer data; the audit keeps masks and ids.
 */

const DAY_MS = 86_400_000;

export interface RetentionRun {
  cutoff: Date;
  photos: number;
  identities: number;
  templates: number;
  /** false when a batch limit stopped the run: the rest goes at the next run */
  complete: boolean;
}

function due(cutoff: Date) {
  const photos: Prisma.PhotoWhereInput = { purgedAt: null, case: { closedAt: { lt: cutoff } } };
  // An identity goes when every case that used it closed before the cutoff.
  const identities: Prisma.IdentityWhereInput = {
    purgedAt: null,
    createdAt: { lt: cutoff },
    cases: { none: { OR: [{ closedAt: null }, { closedAt: { gte: cutoff } }] } },
  };
  // The template was enrolled at the seller's last pass, which closed that case.
  const templates: Prisma.SellerWhereInput = { faceEmbeddingEnc: { not: null }, lastVerifiedAt: { lt: cutoff } };
  return { photos, identities, templates };
}

export function retentionCutoff(deps: Pick<CoreDeps, "config">, now: Date): Date {
  return new Date(now.getTime() - deps.config.RETENTION_DAYS * DAY_MS);
}

/** What a run would delete now, counted (the `--dry-run` of `npm run purge`). */
export async function retentionPlan(deps: Pick<CoreDeps, "db" | "config">, now: Date): Promise<RetentionRun> {
  const cutoff = retentionCutoff(deps, now);
  const w = due(cutoff);
  const [photos, identities, templates] = await Promise.all([
    deps.db.photo.count({ where: w.photos }),
    deps.db.identity.count({ where: w.identities }),
    deps.db.seller.count({ where: w.templates }),
  ]);
  return { cutoff, photos, identities, templates, complete: true };
}

/** Deletes what is due, at most `limit` of each kind per run; audited as one entry per run. */
export async function purgeExpired(deps: Pick<CoreDeps, "db" | "photos" | "config" | "now">, opts: { limit?: number } = {}): Promise<RetentionRun> {
  const limit = opts.limit ?? 1000;
  const now = deps.now();
  const cutoff = retentionCutoff(deps, now);
  const w = due(cutoff);
  const photos = await purgePhotos(deps, w.photos, limit);
  const identities = await purgeIdentities(deps, w.identities, limit);
  const sellers = await deps.db.seller.findMany({ where: w.templates, select: { id: true }, take: limit });
  let templates = 0;
  for (const s of sellers) if (await dropFaceTemplate(deps.db, s.id)) templates++;
  const run = { cutoff, photos, identities, templates, complete: photos < limit && identities < limit && sellers.length < limit };
  if (photos || identities || templates) {
    await audit(deps.db, {
      actorType: "system",
      actorId: "retention",
      action: "retention.purged",
      data: { cutoff: cutoff.toISOString(), photos, identities, templates, retentionDays: deps.config.RETENTION_DAYS },
    });
  }
  return run;
}
