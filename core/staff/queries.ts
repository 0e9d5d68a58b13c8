import type { CoreDeps } from "../deps";
import type { CaseKind, CaseStatus, SellerStatus, StaffAction, Verdict } from "../db/client";
import { OPEN_STATUSES } from "../verification/case-state";
import { staffNames } from "./roles";

/** What staff look up: the queue of open cases, a seller's history, the figures of /stats. */

export interface QueueItem {
  id: string;
  status: CaseStatus;
  shop: string | null;
  reasons: string[];
  since: Date;
  claimedBy: string | null;
  manualReview: boolean;
}

/**
 * Open cases that need staff, oldest first: those waiting for a decision, and those
 * whose check is stuck (they have a card but no review yet).
 */
export async function listQueue(deps: Pick<CoreDeps, "db">, page: number, pageSize: number): Promise<{ items: QueueItem[]; total: number }> {
  const where = { OR: [{ status: "review" as const }, { status: { in: ["queued" as const, "checking" as const] }, staffCard: { isNot: null } }] };
  const [total, rows] = await Promise.all([
    deps.db.verificationCase.count({ where }),
    deps.db.verificationCase.findMany({
      where,
      orderBy: [{ reviewAt: { sort: "asc", nulls: "first" } }, { createdAt: "asc" }],
      skip: page * pageSize,
      take: pageSize,
      select: { id: true, status: true, reasons: true, reviewAt: true, createdAt: true, claimedBy: true, manualReview: true, seller: { select: { shopId: true, shopName: true } } },
    }),
  ]);
  const names = await staffNames(deps, rows.map((r) => r.claimedBy));
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      status: r.status,
      shop: [r.seller.shopId, r.seller.shopName].filter(Boolean).join(" ") || null,
      reasons: r.reasons,
      since: r.reviewAt ?? r.createdAt,
      claimedBy: r.claimedBy !== null ? (names.get(String(r.claimedBy)) ?? null) : null,
      manualReview: r.manualReview,
    })),
  };
}

export interface SellerHistory {
  seller: {
    id: string;
    shopId: string | null;
    shopName: string | null;
    status: SellerStatus;
    telegramUserId: string | null;
    unreachable: boolean;
    nextRecheckAt: Date | null;
    riskFlags: string[];
  };
  cases: { id: string; kind: CaseKind; status: CaseStatus; createdAt: Date; closedAt: Date | null; verdict: Verdict | null }[];
  decisions: { caseId: string; action: StaffAction; reason: string | null; by: string; at: Date }[];
}

/** A seller by shop id, or by Telegram user id when no shop has that id. */
export async function findSeller(deps: Pick<CoreDeps, "db">, query: string) {
  const q = query.trim();
  const seller = q ? await deps.db.seller.findUnique({ where: { shopId: q } }) : null;
  if (seller || !/^\d{1,15}$/.test(q)) return seller;
  return deps.db.seller.findUnique({ where: { telegramUserId: BigInt(q) } });
}

export async function sellerHistory(deps: Pick<CoreDeps, "db">, query: string): Promise<SellerHistory | null> {
  const seller = await findSeller(deps, query);
  if (!seller) return null;
  const [cases, decisions] = await Promise.all([
    deps.db.verificationCase.findMany({
      where: { sellerId: seller.id },
      orderBy: { createdAt: "desc" },
      take: 10,
      select: { id: true, kind: true, status: true, createdAt: true, closedAt: true, verdict: true },
    }),
    deps.db.staffDecision.findMany({ where: { case: { sellerId: seller.id } }, orderBy: { at: "desc" }, take: 10 }),
  ]);
  const names = await staffNames(deps, decisions.map((d) => d.actorId));
  return {
    seller: {
      id: seller.id,
      shopId: seller.shopId,
      shopName: seller.shopName,
      status: seller.status,
      telegramUserId: seller.telegramUserId !== null ? String(seller.telegramUserId) : null,
      unreachable: seller.unreachableAt !== null,
      nextRecheckAt: seller.nextRecheckAt,
      riskFlags: seller.riskFlags,
    },
    cases,
    decisions: decisions.map((d) => ({ caseId: d.caseId, action: d.action, reason: d.reason, by: names.get(String(d.actorId)) ?? String(d.actorId), at: d.at })),
  };
}

export interface WindowStats {
  /** selfie verdicts decided in the window, by outcome */
  verdicts: Record<Verdict, number>;
  /** cases started in the window with a first verdict, and their time from /start to it */
  timed: number;
  medianSeconds: number | null;
  p95Seconds: number | null;
}

export interface StaffStats {
  casesByStatus: Partial<Record<CaseStatus, number>>;
  sellersByStatus: Partial<Record<SellerStatus, number>>;
  day: WindowStats;
  week: WindowStats;
  oldestOpen: { id: string; status: CaseStatus; since: Date } | null;
  unreachableSellers: number;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Cases started in a window are bounded by the rollout pace; beyond this many the latest are timed. */
const MAX_TIMED = 100_000;

async function windowStats(deps: Pick<CoreDeps, "db">, since: Date): Promise<WindowStats> {
  const [byVerdict, firsts] = await Promise.all([
    deps.db.submission.groupBy({ by: ["verdict"], where: { status: "decided", decidedAt: { gte: since } }, _count: { _all: true } }),
    // The first verdict of a case is its attempt 1: what the seller waited for after /start.
    deps.db.submission.findMany({
      where: { attempt: 1, status: "decided", case: { createdAt: { gte: since } } },
      select: { decidedAt: true, case: { select: { createdAt: true } } },
      orderBy: { decidedAt: "desc" },
      take: MAX_TIMED,
    }),
  ]);
  const verdicts: Record<Verdict, number> = { pass: 0, fail: 0, review: 0 };
  for (const row of byVerdict) if (row.verdict) verdicts[row.verdict] = row._count._all;
  const seconds = firsts.map((f) => (f.decidedAt!.getTime() - f.case.createdAt.getTime()) / 1000).sort((a, b) => a - b);
  return { verdicts, timed: seconds.length, medianSeconds: percentile(seconds, 50), p95Seconds: percentile(seconds, 95) };
}

export async function staffStats(deps: Pick<CoreDeps, "db">, now: Date): Promise<StaffStats> {
  const [cases, sellers, day, week, oldest, unreachableSellers] = await Promise.all([
    deps.db.verificationCase.groupBy({ by: ["status"], _count: { _all: true } }),
    deps.db.seller.groupBy({ by: ["status"], _count: { _all: true } }),
    windowStats(deps, new Date(now.getTime() - 86_400_000)),
    windowStats(deps, new Date(now.getTime() - 7 * 86_400_000)),
    deps.db.verificationCase.findFirst({
      where: { status: { in: [...OPEN_STATUSES] } },
      orderBy: { createdAt: "asc" },
      select: { id: true, status: true, createdAt: true },
    }),
    deps.db.seller.count({ where: { unreachableAt: { not: null } } }),
  ]);
  return {
    casesByStatus: Object.fromEntries(cases.map((c) => [c.status, c._count._all])),
    sellersByStatus: Object.fromEntries(sellers.map((s) => [s.status, s._count._all])),
    day,
    week,
    oldestOpen: oldest && { id: oldest.id, status: oldest.status, since: oldest.createdAt },
    unreachableSellers,
  };
}
