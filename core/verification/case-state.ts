import type { CaseStatus } from "../db/generated/enums";

/**
 * The verification case state machine. Every status change goes through
 * `canTransition`, and the database update is conditional on the old status
 * (compare-and-set), so two processes can never both move one case.
 */
const NEXT: Record<CaseStatus, readonly CaseStatus[]> = {
  collecting: ["awaiting_selfie", "review", "cancelled", "expired"],
  // awaiting_selfie -> awaiting_selfie: a late selfie gets a fresh challenge
  awaiting_selfie: ["awaiting_selfie", "queued", "cancelled", "expired"],
  // -> cancelled: the seller erased their data (/deleteme) while the check waited
  queued: ["checking", "review", "cancelled"],
  // checking -> queued: a stalled job is released back to the queue
  checking: ["passed", "failed", "review", "queued", "cancelled"],
  // failed -> awaiting_selfie: a retake with a new gesture, while attempts remain
  failed: ["awaiting_selfie", "review", "cancelled"],
  // staff approve or reject; a retake or a new ID photo goes through `failed` (the seller's retake button)
  review: ["passed", "failed", "rejected", "awaiting_selfie", "cancelled"],
  passed: [],
  rejected: [],
  cancelled: [],
  expired: [],
};

export const OPEN_STATUSES: readonly CaseStatus[] = ["collecting", "awaiting_selfie", "queued", "checking", "failed", "review"];
/** Statuses in which the seller is still typing into the dialog. */
export const DIALOG_STATUSES: readonly CaseStatus[] = ["collecting", "awaiting_selfie", "failed"];

export function canTransition(from: CaseStatus, to: CaseStatus): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(s: CaseStatus): boolean {
  return NEXT[s].length === 0;
}

export class IllegalTransition extends Error {
  constructor(readonly from: CaseStatus, readonly to: CaseStatus) {
    super(`illegal case transition ${from} -> ${to}`);
    this.name = "IllegalTransition";
  }
}

export function assertTransition(from: CaseStatus, to: CaseStatus): void {
  if (!canTransition(from, to)) throw new IllegalTransition(from, to);
}

/** The statuses from which `to` can be reached: the WHERE clause of a compare-and-set update. */
export function sourcesOf(to: CaseStatus): CaseStatus[] {
  return (Object.keys(NEXT) as CaseStatus[]).filter((s) => NEXT[s].includes(to));
}
