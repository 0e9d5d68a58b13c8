import { UnrecoverableError } from "bullmq";
import { alertJobId, caseCardJobSchema, enqueueCaseCard, requeue, STAFF_ALERT, staffAlertJobSchema, type StaffAlertJob } from "../../core/jobs";
import { noteStaffChatFailure } from "../../core/staff/chat-state";
import { OPEN_STATUSES } from "../../core/verification/case-state";
import { isChatLost, publishCard, type StaffDeps } from "../staff/publish";

/**
 * Edits a case's card to show the case as it is now. Jobs carry the time of the
 * change they were queued for: a card rendered after that already shows it, so a
 * burst of changes costs one edit.
 */
export async function refreshCard(deps: StaffDeps, data: unknown): Promise<string> {
  const parsed = caseCardJobSchema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`bad job payload: ${parsed.error.message}`);
  const { caseId, at } = parsed.data;
  const card = await deps.db.staffCard.findUnique({ where: { caseId }, select: { renderedAt: true } });
  if (!card) return "no card";
  if (card.renderedAt.getTime() > at) return "already shows it";
  try {
    const r = await publishCard(deps, caseId, "refresh");
    return r ? `card ${r.messageId}${r.created ? " (posted anew)" : ""}` : "no staff chat";
  } catch (err) {
    if (!isChatLost(err)) throw err;
    await noteStaffChatFailure(deps.redis, deps.config.REDIS_PREFIX, deps.now());
    throw new UnrecoverableError(`staff group unreachable: ${(err as Error).message}`);
  }
}

/**
 * The bot is back in the staff group: every alert that could not be posted goes out,
 * and the cards of open cases are brought up to date (decisions made meanwhile).
 */
export async function resumeStaffGroup(deps: StaffDeps): Promise<string> {
  const unposted = await deps.db.staffAlert.findMany({ where: { postedAt: null }, orderBy: { createdAt: "asc" }, take: 1000 });
  let alerts = 0;
  for (const row of unposted) {
    const job = alertJobOf(row);
    if (!job) continue;
    await requeue(deps.staffQueue, STAFF_ALERT, job, alertJobId(job));
    alerts++;
  }
  const cards = await deps.db.staffCard.findMany({ where: { case: { status: { in: [...OPEN_STATUSES] } } }, select: { caseId: true }, take: 1000 });
  const at = deps.now().getTime();
  for (const c of cards) await enqueueCaseCard(deps.staffQueue, { caseId: c.caseId, at });
  return `alerts ${alerts}, cards ${cards.length}`;
}

/** An alert row back into its job (rows written by an older version may not parse: skipped). */
export function alertJobOf(row: { key: string; caseId: string | null; reason: string }): StaffAlertJob | null {
  const round = row.key.split(":").at(-1);
  const parsed = staffAlertJobSchema.safeParse({ ...(row.caseId ? { caseId: row.caseId } : {}), reason: row.reason, round });
  return parsed.success ? parsed.data : null;
}

