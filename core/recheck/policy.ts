import { randomInt } from "node:crypto";

/**
 * When sellers are re-verified: pure functions of time and chance, so they are tested
 * with a fake clock and a fake draw. Periodic rechecks fall RECHECK_INTERVAL_DAYS after
 * a pass, moved by up to RECHECK_JITTER_DAYS either way (one rollout's passes do not
 * all fall due on one day); reminders go 7 days and 1 day before, on the due date and
 * 3 days after; RECHECK_GRACE_DAYS after the due date the seller is restricted.
 * Sellers with a risk flag also get unscheduled rechecks at times drawn from a CSPRNG.
 */

export const DAY_MS = 86_400_000;
/** Days from the due date on which a reminder goes out. */
export const REMINDER_OFFSETS_DAYS = [-7, -1, 0, 3] as const;
/** A recheck case opens with the first reminder. */
export const OPEN_BEFORE_DAYS = -REMINDER_OFFSETS_DAYS[0];

export interface RecheckPolicy {
  RECHECK_INTERVAL_DAYS: number;
  RECHECK_JITTER_DAYS: number;
  RECHECK_GRACE_DAYS: number;
  RISK_RECHECK_FLAGS: readonly string[];
  RISK_RECHECK_WINDOW_DAYS: number;
}

/** A uniform integer in [0, n): node's CSPRNG by default, a fake in tests. */
export type Draw = (n: number) => number;
const csprng: Draw = (n) => randomInt(n);

/** The next periodic due date after a pass at `passedAt`: the interval, plus or minus a jitter in whole minutes. */
export function nextPeriodicRecheck(passedAt: Date, p: RecheckPolicy, draw: Draw = csprng): Date {
  const jitterMin = p.RECHECK_JITTER_DAYS * 24 * 60;
  const jitter = jitterMin ? draw(2 * jitterMin + 1) - jitterMin : 0;
  return new Date(passedAt.getTime() + p.RECHECK_INTERVAL_DAYS * DAY_MS + jitter * 60_000);
}

/**
 * The reminder that should have gone out by `now` for a recheck due at `dueAt`: the latest
 * offset already reached, or null before the first. Only the latest is sent: after an
 * outage the seller gets one reminder, not three stale ones.
 */
export function reminderDue(dueAt: Date, now: Date): number | null {
  let due: number | null = null;
  for (const d of REMINDER_OFFSETS_DAYS) if (dueAt.getTime() + d * DAY_MS <= now.getTime()) due = d;
  return due;
}

export function restrictionAt(dueAt: Date, p: Pick<RecheckPolicy, "RECHECK_GRACE_DAYS">): Date {
  return new Date(dueAt.getTime() + p.RECHECK_GRACE_DAYS * DAY_MS);
}

/**
 * When the sweep must next look at an open recheck: its next reminder or, for a seller not
 * restricted yet, the restriction; null when neither is left. The sweep reads only the
 * rechecks whose moment has come, so a minute's sweep costs what is due, not what is open.
 */
export function nextRecheckEvent(dueAt: Date, now: Date, restricted: boolean, p: Pick<RecheckPolicy, "RECHECK_GRACE_DAYS">): Date | null {
  const times = REMINDER_OFFSETS_DAYS.map((d) => dueAt.getTime() + d * DAY_MS);
  if (!restricted) times.push(restrictionAt(dueAt, p).getTime());
  const next = Math.min(...times.filter((t) => t > now.getTime()));
  return Number.isFinite(next) ? new Date(next) : null;
}

export function hasRiskFlag(riskFlags: readonly string[], p: RecheckPolicy): boolean {
  return riskFlags.some((f) => p.RISK_RECHECK_FLAGS.includes(f));
}

/**
 * An unscheduled recheck: a moment drawn uniformly (to the second) in the next
 * RISK_RECHECK_WINDOW_DAYS, each draw independent of the last, so a seller who saw
 * one cannot tell when the next comes. Stored only where the seller cannot see it.
 */
export function drawUnscheduledRecheck(now: Date, p: RecheckPolicy, draw: Draw = csprng): Date {
  const windowS = p.RISK_RECHECK_WINDOW_DAYS * 86_400;
  return new Date(now.getTime() + (1 + draw(windowS)) * 1000);
}
