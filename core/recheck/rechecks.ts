import { audit } from "../audit";
import type { CoreDeps } from "../deps";
import { Prisma, type CaseKind, type CaseStatus, type Seller } from "../db/client";
import { OPEN_STATUSES } from "../verification/case-state";
import { emitSellerEvent, emitSellerEvents } from "../webhooks/outbox";
import { DAY_MS, nextRecheckEvent, OPEN_BEFORE_DAYS, reminderDue, restrictionAt } from "./policy";

/**
 * What the recheck sweep does to the database, a keyset page at a time: it opens the
 * recheck cases that come due, writes the reminders that should go out (each once, keyed
 * by seller, due date and offset) and restricts sellers past their grace period. Every
 * change is a compare-and-set, so two sweeps at once, or a rerun, change nothing twice.
 * It reads only what is due, through indexes (partial where most rows have no time set),
 * and writes a page's rows with one statement per table: its cost follows the sellers due,
 * not the sellers there are (npm run bench:schedule).
 */

type Deps = Pick<CoreDeps, "db" | "config" | "now">;

/** A recheck case in these statuses waits for the seller (reminders, restriction); queued, checking or in review it waits for us. */
export const SELLERS_TURN: readonly CaseStatus[] = ["collecting", "awaiting_selfie", "failed"];
const RECHECK_KINDS: readonly CaseKind[] = ["periodic", "unscheduled"];

export interface ReminderToSend {
  key: string;
}

export interface RecheckSweep {
  opened: number;
  reminders: ReminderToSend[];
  restricted: number;
  /** keyset pages read, for the benchmark: the cost follows the sellers due, not all sellers */
  pages: number;
}

/** Callback data of the reminders' buttons (bot/features/recheck handles them). */
export const recheckData = (caseId: string) => `recheck:${caseId}`;
export const INVITE_START = "invite:start";

export const reminderKey = (kind: "recheck" | "restricted" | "invite", sellerId: string, dueAt: Date, offsetDays = 0) =>
  `${kind}:${sellerId}:${dueAt.getTime()}:${offsetDays}`;

/**
 * Opens a recheck case for a seller who has none open: `recheck_due` from now on, the
 * marketplace told in the same transaction. `claim` is the compare-and-set on the seller
 * row that makes one sweep, of two at once, the one that opens it.
 */
async function openRecheck(
  deps: Deps,
  seller: Pick<Seller, "id" | "status">,
  kind: CaseKind,
  dueAt: Date,
  claim: Prisma.SellerWhereInput,
  actor: { actorType: "system" | "staff"; actorId: string },
): Promise<string | null> {
  const now = deps.now();
  return deps.db.$transaction(async (tx) => {
    if (await tx.verificationCase.count({ where: { sellerId: seller.id, status: { in: [...OPEN_STATUSES] } } })) return null;
    const won = await tx.seller.updateMany({ where: { id: seller.id, ...claim }, data: { status: "recheck_due", unscheduledRecheckAt: null } });
    if (!won.count) return null;
    const c = await tx.verificationCase.create({
      data: { sellerId: seller.id, kind, status: "collecting", dueAt, remindAt: now, maxAttempts: deps.config.MAX_ATTEMPTS, createdAt: now },
    });
    await audit(tx, { ...actor, action: "recheck.opened", sellerId: seller.id, caseId: c.id, data: { kind, dueAt: dueAt.toISOString(), before: { status: seller.status }, after: { status: "recheck_due" } } });
    await emitSellerEvent(deps, tx, { sellerId: seller.id, type: "seller.recheck_due", caseId: c.id, reasons: [kind], at: now });
    return c.id;
  });
}

/** Reads pages ordered by (`at`, id), each resuming after the last row of the one before: an index range, never a scan. */
async function* keyset<T extends { id: string }>(
  read: (after: { at: Date; id: string } | null, take: number) => Promise<T[]>,
  at: (row: T) => Date,
  pageSize: number,
  stats: { pages: number },
): AsyncGenerator<T[]> {
  let after: { at: Date; id: string } | null = null;
  for (;;) {
    const page = await read(after, pageSize);
    stats.pages++;
    if (page.length) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { at: at(last), id: last.id };
  }
}

// The `gte` lets the index scan start at the cursor; the OR alone would be a filter over the range before it.
const afterCursor = (field: string, after: { at: Date; id: string } | null) =>
  after ? { AND: [{ [field]: { gte: after.at } }, { OR: [{ [field]: { gt: after.at } }, { [field]: after.at, id: { gt: after.id } }] }] } : {};

const isoOrNull = (d: Date | null) => d?.toISOString() ?? null;

type SellerPage = { id: string; at: Date }[];
/** An open recheck in the seller's turn, with what the sweep needs of its seller. */
type WaitingCase = { id: string; sellerId: string; dueAt: Date; remindAt: Date; sellerStatus: string; restrictedAt: Date | null };

/**
 * Opens recheck cases for a page of sellers at once, in one statement: the sellers are
 * claimed with an UPDATE whose WHERE repeats what made them due and that they have no case
 * open (the compare-and-set: of two sweeps, each seller goes to one), and their cases, audit
 * entries and first reminders are written from what it returned. Each case starts with the
 * moment the sweep must look at it next, so the rest of this sweep does not read it again.
 */
async function openRecheckPage(
  deps: Deps,
  page: SellerPage,
  kind: "periodic" | "unscheduled",
  horizon: Date,
  now: Date,
): Promise<{ opened: number; reminders: ReminderToSend[] }> {
  if (!page.length) return { opened: 0, reminders: [] };
  const ids = page.map((s) => s.id);
  const open = [...OPEN_STATUSES];
  if (kind === "unscheduled") {
    // A recheck is open already: this draw is spent, and the next pass draws anew.
    await deps.db.$executeRaw`
      UPDATE "Seller" s SET "unscheduledRecheckAt" = NULL
      WHERE s.id = ANY(${ids}::uuid[]) AND s."unscheduledRecheckAt" <= ${now}
        AND EXISTS (SELECT 1 FROM "VerificationCase" v WHERE v."sellerId" = s.id AND v.status::text = ANY(${open}::text[]))`;
  }
  // What each case starts with, from the policy: its due date, the reminder due now, and the sweep's next look
  // (at once when a long outage left it past its grace period: the waiting-cases pass below restricts it).
  const input = page.map((s) => {
    const due = kind === "periodic" ? s.at : now;
    const offset = reminderDue(due, now);
    const next = restrictionAt(due, deps.config) <= now ? now : nextRecheckEvent(due, now, false, deps.config);
    return { id: s.id, due: due.toISOString(), key: offset === null ? null : reminderKey("recheck", s.id, due, offset), offset: offset ?? 0, next: isoOrNull(next) };
  });
  const noOpenCase = Prisma.sql`NOT EXISTS (SELECT 1 FROM "VerificationCase" v WHERE v."sellerId" = s.id AND v.status::text = ANY(${open}::text[]))`;
  const claim =
    kind === "periodic"
      ? Prisma.sql`claimed AS (
          UPDATE "Seller" s SET status = 'recheck_due', "unscheduledRecheckAt" = NULL, "updatedAt" = ${now}
          WHERE s.id = ANY(${ids}::uuid[]) AND s.status = 'verified' AND s."nextRecheckAt" <= ${horizon} AND ${noOpenCase}
          RETURNING s.id, 'verified'::text AS before)`
      : Prisma.sql`before AS (
          SELECT s.id, s.status::text AS status FROM "Seller" s
          WHERE s.id = ANY(${ids}::uuid[]) AND s."unscheduledRecheckAt" <= ${now} AND ${noOpenCase}
          FOR UPDATE),
        claimed AS (
          UPDATE "Seller" s SET status = 'recheck_due', "unscheduledRecheckAt" = NULL, "updatedAt" = ${now}
          FROM before WHERE s.id = before.id RETURNING s.id, before.status AS before)`;
  return deps.db.$transaction(async (tx) => {
    // Cases get their id from the database here (Prisma's @default(uuid()) fills it only on its own creates).
    const made = await tx.$queryRaw<{ caseId: string; sellerId: string; key: string | null }[]>`
      WITH ${claim},
      input AS (
        SELECT * FROM unnest(${input.map((i) => i.id)}::uuid[], ${input.map((i) => i.due)}::timestamp(3)[], ${input.map((i) => i.due)}::text[],
          ${input.map((i) => i.key)}::text[], ${input.map((i) => i.offset)}::int[], ${input.map((i) => i.next)}::timestamp(3)[])
          AS t(id, due, due_iso, key, offset_days, remind_at)),
      cases AS (
        INSERT INTO "VerificationCase" (id, "sellerId", kind, status, "dueAt", "remindAt", "maxAttempts", "createdAt", "updatedAt")
        SELECT gen_random_uuid(), i.id, ${kind}::"CaseKind", 'collecting', i.due, i.remind_at, ${deps.config.MAX_ATTEMPTS}, ${now}, ${now}
        FROM claimed c JOIN input i ON i.id = c.id
        RETURNING id, "sellerId"),
      audit AS (
        INSERT INTO "AuditEvent" ("actorType", "actorId", action, "sellerId", "caseId", at, data)
        SELECT 'system', 'recheck-sweep', 'recheck.opened', k."sellerId", k.id, ${now},
          jsonb_build_object('kind', ${kind}::text, 'dueAt', i.due_iso, 'before', jsonb_build_object('status', c.before), 'after', jsonb_build_object('status', 'recheck_due'))
        FROM cases k JOIN input i ON i.id = k."sellerId" JOIN claimed c ON c.id = k."sellerId"),
      reminders AS (
        INSERT INTO "Reminder" (key, "sellerId", "caseId", kind, "offsetDays", "dueAt", "createdAt")
        SELECT i.key, i.id, k.id, 'recheck', i.offset_days, i.due, ${now}
        FROM cases k JOIN input i ON i.id = k."sellerId" WHERE i.key IS NOT NULL
        ON CONFLICT (key) DO NOTHING RETURNING key)
      SELECT k.id AS "caseId", k."sellerId", r.key
      FROM cases k JOIN input i ON i.id = k."sellerId" LEFT JOIN reminders r ON r.key = i.key`;
    await emitSellerEvents(deps, tx, made.map((c) => ({ sellerId: c.sellerId, type: "seller.recheck_due" as const, caseId: c.caseId, reasons: [kind], at: now })));
    return { opened: made.length, reminders: made.flatMap((c) => (c.key ? [{ key: c.key }] : [])) };
  });
}

/** The sweep's audit entries for a page, in one statement. */
async function auditMany(tx: Pick<Deps["db"], "$executeRaw">, action: string, now: Date, rows: { sellerId: string; caseId: string; data: Record<string, unknown> }[]) {
  if (!rows.length) return;
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" ("actorType", "actorId", action, "sellerId", "caseId", at, data)
    SELECT 'system', 'recheck-sweep', ${action}, t.seller, t.kase, ${now}, t.data
    FROM unnest(${rows.map((r) => r.sellerId)}::uuid[], ${rows.map((r) => r.caseId)}::uuid[], ${rows.map((r) => JSON.stringify(r.data))}::jsonb[]) AS t(seller, kase, data)`;
}

/** Reminder rows for a page, written at once; returns the keys that are new (the ones to send). */
async function remindPage(deps: Deps, rows: { key: string; sellerId: string; caseId: string | null; kind: string; offsetDays: number; dueAt: Date }[], now: Date) {
  if (!rows.length) return [];
  return deps.db.$queryRaw<{ key: string }[]>`
    INSERT INTO "Reminder" (key, "sellerId", "caseId", kind, "offsetDays", "dueAt", "createdAt")
    SELECT t.key, t.seller, t.kase, t.kind, t.offset_days, t.due, ${now}
    FROM unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.sellerId)}::uuid[], ${rows.map((r) => r.caseId)}::uuid[],
      ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.offsetDays)}::int[], ${rows.map((r) => r.dueAt.toISOString())}::timestamp(3)[])
      AS t(key, seller, kase, kind, offset_days, due)
    ON CONFLICT (key) DO NOTHING RETURNING key`;
}

export async function sweepRechecks(deps: Deps, opts: { pageSize?: number } = {}): Promise<RecheckSweep> {
  const now = deps.now();
  const pageSize = opts.pageSize ?? 1000;
  const out: RecheckSweep = { opened: 0, reminders: [], restricted: 0, pages: 0 };
  const horizon = new Date(now.getTime() + OPEN_BEFORE_DAYS * DAY_MS);

  // 1. Periodic rechecks whose first reminder (7 days before) is due: through (status, nextRecheckAt, id).
  for await (const page of keyset(
    (after, take) =>
      deps.db.seller.findMany({
        where: { status: "verified", nextRecheckAt: { lte: horizon }, ...afterCursor("nextRecheckAt", after) },
        orderBy: [{ nextRecheckAt: "asc" }, { id: "asc" }],
        select: { id: true, nextRecheckAt: true },
        take,
      }),
    (s) => s.nextRecheckAt!,
    pageSize,
    out,
  )) {
    const r = await openRecheckPage(deps, page.map((s) => ({ id: s.id, at: s.nextRecheckAt! })), "periodic", horizon, now);
    out.opened += r.opened;
    out.reminders.push(...r.reminders);
  }

  // 2. Unscheduled rechecks whose moment has come: through (unscheduledRecheckAt, id).
  for await (const page of keyset(
    (after, take) =>
      deps.db.seller.findMany({
        where: { unscheduledRecheckAt: { lte: now }, ...afterCursor("unscheduledRecheckAt", after) },
        orderBy: [{ unscheduledRecheckAt: "asc" }, { id: "asc" }],
        select: { id: true, unscheduledRecheckAt: true },
        take,
      }),
    (s) => s.unscheduledRecheckAt!,
    pageSize,
    out,
  )) {
    const r = await openRecheckPage(deps, page.map((s) => ({ id: s.id, at: s.unscheduledRecheckAt! })), "unscheduled", horizon, now);
    out.opened += r.opened;
    out.reminders.push(...r.reminders);
  }

  // Rollout: never-verified sellers whose wave has come (npm run rollout): through (inviteAt, id).
  for await (const page of keyset(
    (after, take) =>
      deps.db.seller.findMany({
        where: { inviteAt: { lte: now }, invitedAt: null, ...afterCursor("inviteAt", after) },
        orderBy: [{ inviteAt: "asc" }, { id: "asc" }],
        select: { id: true, inviteAt: true },
        take,
      }),
    (s) => s.inviteAt!,
    pageSize,
    out,
  )) {
    const ids = page.map((s) => s.id);
    const claimed = await deps.db.$queryRaw<{ id: string; inviteAt: Date; verified: boolean }[]>`
      UPDATE "Seller" SET "invitedAt" = ${now} WHERE id = ANY(${ids}::uuid[]) AND "invitedAt" IS NULL
      RETURNING id, "inviteAt", "lastVerifiedAt" IS NOT NULL AS verified`;
    const rows = claimed.filter((c) => !c.verified).map((c) => ({ key: reminderKey("invite", c.id, c.inviteAt), sellerId: c.id, caseId: null, kind: "invite", offsetDays: 0, dueAt: c.inviteAt }));
    out.reminders.push(...(await remindPage(deps, rows, now)));
  }

  // 3 and 4. Open rechecks waiting for the seller whose next moment has come (remindAt): the
  // reminder due now and, past the grace period, the restriction; then their next moment.
  // The predicate repeats the partial index's (migration 20261130132214), literals included.
  const graceCutoff = new Date(now.getTime() - deps.config.RECHECK_GRACE_DAYS * DAY_MS);
  for await (const page of keyset(
    (after, take) => deps.db.$queryRaw<WaitingCase[]>`
      SELECT c.id, c."sellerId", c."dueAt", c."remindAt", s.status::text AS "sellerStatus", s."restrictedAt"
      FROM "VerificationCase" c JOIN "Seller" s ON s.id = c."sellerId"
      WHERE c."remindAt" IS NOT NULL AND c.status IN ('collecting', 'awaiting_selfie', 'failed')
        AND c."remindAt" <= ${now} AND c."dueAt" IS NOT NULL
        AND (c."remindAt", c.id) > (${after?.at ?? new Date(0)}, ${after?.id ?? "00000000-0000-0000-0000-000000000000"}::uuid)
      ORDER BY c."remindAt", c.id
      LIMIT ${take}`,
    (c) => c.remindAt,
    pageSize,
    out,
  )) {
    const due = page.flatMap((c) => {
      const offset = reminderDue(c.dueAt, now);
      return offset === null ? [] : [{ key: reminderKey("recheck", c.sellerId, c.dueAt, offset), sellerId: c.sellerId, caseId: c.id, kind: "recheck", offsetDays: offset, dueAt: c.dueAt }];
    });
    out.reminders.push(...(await remindPage(deps, due, now)));
    const overdue = page.filter((c) => c.dueAt <= graceCutoff && !c.restrictedAt);
    const restricted = await restrictPage(deps, overdue, now);
    out.restricted += restricted.length;
    out.reminders.push(
      ...(await remindPage(
        deps,
        restricted.map((c) => ({ key: reminderKey("restricted", c.sellerId, c.dueAt), sellerId: c.sellerId, caseId: c.id, kind: "restricted", offsetDays: 0, dueAt: c.dueAt })),
        now,
      )),
    );
    // Restricted now or before (by this sweep or one beside it): only reminders are left.
    const next = page.map((c) => isoOrNull(nextRecheckEvent(c.dueAt, now, c.restrictedAt !== null || c.dueAt <= graceCutoff, deps.config)));
    await deps.db.$executeRaw`
      UPDATE "VerificationCase" c SET "remindAt" = t.at
      FROM unnest(${page.map((c) => c.id)}::uuid[], ${next}::timestamp(3)[]) AS t(id, at) WHERE c.id = t.id`;
  }
  return out;
}

/** Restricts the sellers of a page of overdue rechecks, once each (UPDATE ... RETURNING), with their audit entries and events. */
async function restrictPage(deps: Deps, overdue: WaitingCase[], now: Date): Promise<WaitingCase[]> {
  if (!overdue.length) return [];
  const ids = overdue.map((c) => c.sellerId);
  return deps.db.$transaction(async (tx) => {
    const claimed = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "Seller" SET status = 'restricted', "restrictedAt" = ${now}, "updatedAt" = ${now}
      WHERE id = ANY(${ids}::uuid[]) AND "restrictedAt" IS NULL RETURNING id`;
    const won = new Set(claimed.map((c) => c.id));
    const done = overdue.filter((c) => won.has(c.sellerId));
    await auditMany(
      tx,
      "seller.restricted",
      now,
      done.map((c) => ({
        sellerId: c.sellerId,
        caseId: c.id,
        data: { dueAt: c.dueAt.toISOString(), graceDays: deps.config.RECHECK_GRACE_DAYS, before: { status: c.sellerStatus }, after: { status: "restricted" } },
      })),
    );
    await emitSellerEvents(deps, tx, done.map((c) => ({ sellerId: c.sellerId, type: "seller.restricted" as const, caseId: c.id, reasons: ["recheck-overdue"], at: now })));
    return done;
  });
}

export type RecheckRequest = { ok: true; caseId: string; reminderKey: string } | { ok: false; why: "unknown-seller" | "never-verified" | "case-open"; caseId?: string };

/** Staff's /recheck: an unscheduled recheck now, for a seller who was verified and has no case open. */
export async function requestRecheck(deps: Deps, staffUserId: number, sellerId: string): Promise<RecheckRequest> {
  const s = await deps.db.seller.findUnique({ where: { id: sellerId }, select: { id: true, status: true, lastVerifiedAt: true } });
  if (!s) return { ok: false, why: "unknown-seller" };
  const open = await deps.db.verificationCase.findFirst({ where: { sellerId, status: { in: [...OPEN_STATUSES] } }, select: { id: true } });
  if (open) return { ok: false, why: "case-open", caseId: open.id };
  if (!s.lastVerifiedAt) return { ok: false, why: "never-verified" };
  const now = deps.now();
  const caseId = await openRecheck(deps, s, "unscheduled", now, { status: s.status }, { actorType: "staff", actorId: String(staffUserId) });
  if (!caseId) return { ok: false, why: "case-open" };
  const key = reminderKey("recheck", s.id, now, 0);
  await deps.db.reminder.createMany({ data: [{ key, sellerId: s.id, caseId, kind: "recheck", offsetDays: 0, dueAt: now, createdAt: now }], skipDuplicates: true });
  return { ok: true, caseId, reminderKey: key };
}

/** The recheck a seller's button or /start opens, if it is still theirs to do. */
export async function openRecheckOf(deps: Pick<CoreDeps, "db">, sellerId: string, caseId?: string) {
  return deps.db.verificationCase.findFirst({
    where: { sellerId, kind: { in: [...RECHECK_KINDS] }, status: { in: [...SELLERS_TURN] }, ...(caseId ? { id: caseId } : {}) },
    orderBy: { createdAt: "desc" },
  });
}
