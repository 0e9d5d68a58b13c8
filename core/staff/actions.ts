import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import type { CaseStatus, Prisma, StaffAction } from "../db/client";
import { OPEN_STATUSES } from "../verification/case-state";
import { enrolSeller } from "../verification/enrol";
import { descriptorFromBytes, photoFaceAad } from "../verification/face-template";
import { emitSellerEvent } from "../webhooks/outbox";
import { STAFF_RETAKE_REASONS, type RejectReason } from "./reasons";
import { staffNames, type StaffActor } from "./roles";

/**
 * What staff do to a case. Each action is one compare-and-set: the update's WHERE
 * clause carries the status and the claim it expects, so of two presses at the same
 * moment exactly one changes the row and the other is refused with who holds it.
 */

export type Refusal =
  | { kind: "not-found" }
  /** claimed by another member */
  | { kind: "claimed"; holder: string }
  /** decided or otherwise over */
  | { kind: "closed"; status: CaseStatus; by: string | null }
  /** a decision on a case that is not waiting for one (e.g. its check still runs) */
  | { kind: "not-in-review"; status: CaseStatus }
  /** a retake for a seller who declined face data, or who never gave an ID */
  | { kind: "no-face-consent" }
  | { kind: "admin-only" };

export type ActionResult = { ok: true; changed: boolean; decisionId?: string } | { ok: false; refusal: Refusal };

type Deps = Pick<CoreDeps, "db" | "now">;

const isOpen = (s: CaseStatus) => (OPEN_STATUSES as readonly string[]).includes(s);
const staffAudit = (actor: StaffActor) => ({ actorType: "staff" as const, actorId: String(actor.userId) });

/** Who holds or decided a case, for the refusal text. */
async function explain(deps: Deps, actor: StaffActor, caseId: string): Promise<ActionResult> {
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { status: true, claimedBy: true } });
  if (!c) return { ok: false, refusal: { kind: "not-found" } };
  if (!isOpen(c.status)) {
    const last = await deps.db.staffDecision.findFirst({ where: { caseId }, orderBy: { at: "desc" }, select: { actorId: true } });
    const by = last ? ((await staffNames(deps, [last.actorId])).get(String(last.actorId)) ?? null) : null;
    return { ok: false, refusal: { kind: "closed", status: c.status, by } };
  }
  if (c.claimedBy !== null && c.claimedBy !== BigInt(actor.userId)) {
    const holder = (await staffNames(deps, [c.claimedBy])).get(String(c.claimedBy)) ?? String(c.claimedBy);
    return { ok: false, refusal: { kind: "claimed", holder } };
  }
  return { ok: false, refusal: { kind: "not-in-review", status: c.status } };
}

/** Locks an open case to one member. Claiming one's own case again changes nothing. */
export async function claimCase(deps: Deps, actor: StaffActor, caseId: string): Promise<ActionResult> {
  const me = BigInt(actor.userId);
  const res = await deps.db.verificationCase.updateMany({
    where: { id: caseId, status: { in: [...OPEN_STATUSES] }, claimedBy: null },
    data: { claimedBy: me, claimedAt: deps.now() },
  });
  if (res.count === 1) {
    const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, select: { sellerId: true, status: true } });
    await audit(deps.db, {
      ...staffAudit(actor),
      action: "staff.claimed",
      sellerId: c.sellerId,
      caseId,
      data: { before: { claimedBy: null }, after: { claimedBy: String(me) }, status: c.status },
    });
    return { ok: true, changed: true };
  }
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { status: true, claimedBy: true } });
  if (c && isOpen(c.status) && c.claimedBy === me) return { ok: true, changed: false };
  return explain(deps, actor, caseId);
}

/** Gives a claimed case back to the queue; only its holder can. */
export async function releaseCase(deps: Deps, actor: StaffActor, caseId: string): Promise<ActionResult> {
  const me = BigInt(actor.userId);
  const res = await deps.db.verificationCase.updateMany({
    where: { id: caseId, status: { in: [...OPEN_STATUSES] }, claimedBy: me },
    data: { claimedBy: null, claimedAt: null },
  });
  if (res.count === 1) {
    const c = await deps.db.verificationCase.findUniqueOrThrow({ where: { id: caseId }, select: { sellerId: true } });
    await audit(deps.db, { ...staffAudit(actor), action: "staff.released", sellerId: c.sellerId, caseId, data: { before: { claimedBy: String(me) }, after: { claimedBy: null } } });
    return { ok: true, changed: true };
  }
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { status: true, claimedBy: true } });
  if (c && isOpen(c.status) && c.claimedBy === null) return { ok: true, changed: false };
  return explain(deps, actor, caseId);
}

/** Null when `actor` may decide on the case now (it waits for a decision, unclaimed or theirs); else why not. */
export async function decisionBlocker(deps: Deps, actor: StaffActor, caseId: string): Promise<Refusal | null> {
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { status: true, claimedBy: true } });
  if (c && c.status === "review" && (c.claimedBy === null || c.claimedBy === BigInt(actor.userId))) return null;
  const r = await explain(deps, actor, caseId);
  return r.ok ? null : r.refusal;
}

export type Decision = { action: "approve" } | { action: "reject"; reason: RejectReason } | { action: "retake" } | { action: "new_document" };

/** The status a decision moves a case in review to. */
const TO: Record<StaffAction, CaseStatus> = { approve: "passed", reject: "rejected", retake: "failed", new_document: "failed" };

class Lost extends Error {}

/**
 * Approve, reject, or send the case back to the seller for a new selfie or a new ID
 * photo, in one transaction with its audit entry and the decision row the seller is
 * told from. Approve enrols the face as a pass does (none without face consent).
 */
export async function decideCase(deps: Pick<CoreDeps, "db" | "now" | "crypto" | "config">, actor: StaffActor, caseId: string, d: Decision): Promise<ActionResult> {
  const me = BigInt(actor.userId);
  const now = deps.now();
  try {
    return await deps.db.$transaction(async (tx) => {
      const c = await tx.verificationCase.findUnique({
        where: { id: caseId },
        include: { submissions: { orderBy: { attempt: "desc" }, take: 1, include: { photo: { select: { id: true, embeddingEnc: true } } } } },
      });
      if (!c || c.status !== "review" || (c.claimedBy !== null && c.claimedBy !== me)) throw new Lost();
      const asksForPhotos = d.action === "retake" || d.action === "new_document";
      if (asksForPhotos && (!c.faceConsentAt || !c.identityId)) return { ok: false as const, refusal: { kind: "no-face-consent" as const } };

      const to = TO[d.action];
      const data: Prisma.VerificationCaseUpdateManyMutationInput = { status: to, claimedBy: me, claimedAt: c.claimedAt ?? now };
      if (d.action === "approve") Object.assign(data, { verdict: "pass", closedAt: now });
      else if (d.action === "reject") Object.assign(data, { verdict: "fail", closedAt: now });
      // One more attempt, with the staff's reason: the seller's retake button opens the dialog at the right step.
      else Object.assign(data, { maxAttempts: c.attempts + 1, reasons: [STAFF_RETAKE_REASONS[d.action]] });
      const moved = await tx.verificationCase.updateMany({ where: { id: caseId, status: "review", OR: [{ claimedBy: null }, { claimedBy: me }] }, data });
      if (moved.count !== 1) throw new Lost();

      let enrolled: "face" | "none" | null = null;
      if (d.action === "approve") {
        const sealed = c.faceConsentAt ? c.submissions[0]?.photo.embeddingEnc : null;
        const template = sealed ? descriptorFromBytes(deps.crypto.open(sealed, photoFaceAad(c.submissions[0]!.photo.id))) : null;
        await enrolSeller(tx, deps, c.sellerId, template, now, { caseId });
        enrolled = template ? "face" : "none";
      }
      if (d.action === "reject") await emitSellerEvent(deps, tx, { sellerId: c.sellerId, type: "seller.failed", caseId, reasons: [d.reason], at: now });
      const decision = await tx.staffDecision.create({
        data: { caseId, action: d.action, reason: d.action === "reject" ? d.reason : null, actorId: me, at: now },
      });
      await audit(tx, {
        ...staffAudit(actor),
        action: `staff.${d.action}`,
        sellerId: c.sellerId,
        caseId,
        data: {
          decisionId: decision.id,
          ...(d.action === "reject" ? { reason: d.reason } : {}),
          ...(enrolled ? { enrolled } : {}),
          before: { status: c.status, claimedBy: c.claimedBy === null ? null : String(c.claimedBy) },
          after: { status: to, claimedBy: String(me) },
        },
      });
      return { ok: true as const, changed: true, decisionId: decision.id };
    });
  } catch (err) {
    if (err instanceof Lost) return explain(deps, actor, caseId);
    throw err;
  }
}

/** Admins only: the card shows the full ID number until `until`, then it is edited back. */
export async function revealIdNumber(deps: Deps, actor: StaffActor, caseId: string, seconds: number): Promise<{ ok: true; until: Date } | { ok: false; refusal: Refusal }> {
  if (actor.role !== "admin") return { ok: false, refusal: { kind: "admin-only" } };
  const c = await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { sellerId: true, identity: { select: { idNumberMask: true } } } });
  const card = await deps.db.staffCard.findUnique({ where: { caseId } });
  if (!c || !c.identity || !card) return { ok: false, refusal: { kind: "not-found" } };
  const until = new Date(deps.now().getTime() + seconds * 1000);
  await deps.db.staffCard.update({ where: { caseId }, data: { revealUntil: until } });
  await audit(deps.db, {
    ...staffAudit(actor),
    action: "staff.revealed_id_number",
    sellerId: c.sellerId,
    caseId,
    data: { idNumber: c.identity.idNumberMask, until: until.toISOString() },
  });
  return { ok: true, until };
}

/** A refused staff action, by a member or by anyone else: who tried what, and why it was refused. */
export async function auditRefusal(
  deps: Pick<CoreDeps, "db">,
  who: { userId: number; isStaff: boolean },
  action: string,
  caseId: string | null,
  why: string,
): Promise<void> {
  const c = caseId ? await deps.db.verificationCase.findUnique({ where: { id: caseId }, select: { sellerId: true } }) : null;
  await audit(deps.db, {
    actorType: who.isStaff ? "staff" : "user",
    actorId: String(who.userId),
    action: "staff.refused",
    sellerId: c?.sellerId ?? null,
    caseId: c ? caseId : null,
    data: { attempted: action, why },
  });
}
