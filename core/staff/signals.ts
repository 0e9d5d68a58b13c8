import type { CoreDeps } from "../deps";
import { enqueueCaseCard, enqueueStaffAlert } from "../jobs";

/**
 * What the rest of the system tells the staff side. Called right after the
 * transaction that changed the case commits, so staff hear within seconds; an
 * enqueue lost to a Redis outage is caught by the sweep a minute later, since the
 * database, not the queue, says what is open.
 */

type Deps = Pick<CoreDeps, "staffQueue" | "log">;

/** The review round: a case that comes back to review after a retake is a new alert, not a repost. */
export const reviewRound = (reviewAt: Date) => String(reviewAt.getTime());

export async function signalReview(deps: Deps, caseId: string, reviewAt: Date): Promise<void> {
  try {
    await enqueueStaffAlert(deps.staffQueue, { caseId, reason: "review", round: reviewRound(reviewAt) });
  } catch (err) {
    deps.log.warn({ err, caseId }, "could not queue the staff alert; the sweep will post it");
  }
}

let lastChange = 0;
/** Two changes in the same millisecond still get two refresh jobs (the id of a finished job is not reused by BullMQ). */
function changeStamp(now: Date): number {
  lastChange = Math.max(now.getTime(), lastChange + 1);
  return lastChange;
}

/** The case moved: its card, if staff have one, is edited to show it. */
export async function signalCaseChanged(deps: Deps & Pick<CoreDeps, "db" | "now">, caseId: string): Promise<void> {
  try {
    const card = await deps.db.staffCard.findUnique({ where: { caseId }, select: { caseId: true } });
    if (card) await enqueueCaseCard(deps.staffQueue, { caseId, at: changeStamp(deps.now()) });
  } catch (err) {
    deps.log.warn({ err, caseId }, "could not queue the card refresh");
  }
}
