import { describe, expect, it } from "vitest";
import { parseRolloutArgs } from "../../bot/cli/rollout";
import { DAY_MS, drawUnscheduledRecheck, hasRiskFlag, nextPeriodicRecheck, nextRecheckEvent, reminderDue, REMINDER_OFFSETS_DAYS, restrictionAt, type RecheckPolicy } from "../../core/recheck/policy";

const P: RecheckPolicy = { RECHECK_INTERVAL_DAYS: 180, RECHECK_JITTER_DAYS: 14, RECHECK_GRACE_DAYS: 14, RISK_RECHECK_FLAGS: ["high-risk"], RISK_RECHECK_WINDOW_DAYS: 30 };
const T0 = new Date("2026-06-01T08:00:00Z");
const at = (days: number, from = T0) => new Date(from.getTime() + days * DAY_MS);

describe("recheck policy (fake clock, fake draws)", () => {
  it("puts the periodic recheck RECHECK_INTERVAL_DAYS after a pass, moved by at most the jitter either way", () => {
    const jitterMin = 14 * 24 * 60;
    expect(nextPeriodicRecheck(T0, P, () => jitterMin)).toEqual(at(180));
    expect(nextPeriodicRecheck(T0, P, () => 0)).toEqual(at(166));
    expect(nextPeriodicRecheck(T0, P, (n) => n - 1)).toEqual(at(194));
    expect(nextPeriodicRecheck(T0, { ...P, RECHECK_JITTER_DAYS: 0 }, () => 123)).toEqual(at(180));
  });

  it("spreads one day's passes over the jitter window (a rollout's rechecks do not fall due together)", () => {
    const days = new Set(Array.from({ length: 2000 }, () => Math.floor((nextPeriodicRecheck(T0, P).getTime() - T0.getTime()) / DAY_MS)));
    expect(Math.min(...days)).toBe(166);
    expect(Math.max(...days)).toBeGreaterThanOrEqual(193);
    expect(days.size).toBeGreaterThanOrEqual(28);
  });

  it("reminds 7 days and 1 day before, on the due date and 3 days after; only the latest due one", () => {
    const due = at(180);
    expect(REMINDER_OFFSETS_DAYS).toEqual([-7, -1, 0, 3]);
    expect(reminderDue(due, at(172))).toBeNull();
    expect(reminderDue(due, at(173))).toBe(-7);
    expect(reminderDue(due, at(178.5))).toBe(-7);
    expect(reminderDue(due, at(179))).toBe(-1);
    expect(reminderDue(due, at(180))).toBe(0);
    expect(reminderDue(due, at(182.9))).toBe(0);
    expect(reminderDue(due, at(183))).toBe(3);
    // After a week-long outage, one reminder, not three stale ones.
    expect(reminderDue(due, at(200))).toBe(3);
  });

  it("restricts RECHECK_GRACE_DAYS after the due date", () => {
    expect(restrictionAt(at(180), P)).toEqual(at(194));
  });

  it("tells the sweep when to look at an open recheck next: each reminder, then the restriction, then never", () => {
    const due = at(180);
    const walk = (restricted: boolean) => {
      const seen: number[] = [];
      for (let now: Date | null = at(173); now; now = nextRecheckEvent(due, now, restricted, P)) seen.push((now.getTime() - T0.getTime()) / DAY_MS);
      return seen;
    };
    expect(walk(false)).toEqual([173, 179, 180, 183, 194]);
    expect(walk(true)).toEqual([173, 179, 180, 183]);
    // Between two moments it names the next one, never one already past.
    expect(nextRecheckEvent(due, at(181), false, P)).toEqual(at(183));
    expect(nextRecheckEvent(due, at(200), false, P)).toBeNull();
  });

  it("draws unscheduled rechecks within the window, independently, from the CSPRNG", () => {
    const draws = Array.from({ length: 500 }, () => drawUnscheduledRecheck(T0, P).getTime() - T0.getTime());
    expect(Math.min(...draws)).toBeGreaterThan(0);
    expect(Math.max(...draws)).toBeLessThanOrEqual(30 * DAY_MS);
    // Spread over the whole window: no day of it is favoured, and the last draw says nothing of the next.
    const buckets = new Array(10).fill(0);
    for (const d of draws) buckets[Math.min(9, Math.floor(d / (3 * DAY_MS)))]++;
    for (const b of buckets) expect(b).toBeGreaterThan(20);
    const pairs = draws.slice(1).map((d, i) => Math.sign(d - draws[i]!));
    expect(Math.abs(pairs.reduce((a, b) => a + b, 0))).toBeLessThan(100);
    expect(drawUnscheduledRecheck(T0, P, () => 0)).toEqual(new Date(T0.getTime() + 1000));
    expect(drawUnscheduledRecheck(T0, P, (n) => n - 1)).toEqual(at(30));
  });

  it("matches risk flags against RISK_RECHECK_FLAGS", () => {
    expect(hasRiskFlag(["vip", "high-risk"], P)).toBe(true);
    expect(hasRiskFlag(["vip"], P)).toBe(false);
    expect(hasRiskFlag([], P)).toBe(false);
  });
});

describe("rollout arguments", () => {
  it("reads batch size, interval, start and dry run", () => {
    expect(parseRolloutArgs(["--batch-size", "500", "--every", "1d", "--dry-run"])).toEqual({ batchSize: 500, everyMs: DAY_MS, start: null, dryRun: true });
    expect(parseRolloutArgs(["--batch-size", "20", "--every", "12h", "--start", "2026-12-07T01:00:00Z"]).start).toEqual(new Date("2026-12-07T01:00:00Z"));
  });
  it("refuses a bad batch size, interval, start or flag with a clear message", () => {
    expect(() => parseRolloutArgs(["--batch-size", "0", "--every", "1d"])).toThrow(/--batch-size must be a whole number from 1 to 100000 \(got 0\)/);
    expect(() => parseRolloutArgs(["--batch-size", "ten", "--every", "1d"])).toThrow(/--batch-size/);
    expect(() => parseRolloutArgs(["--every", "1d"])).toThrow(/got nothing/);
    expect(() => parseRolloutArgs(["--batch-size", "5", "--every", "1w"])).toThrow(/--every must look like 1d, 12h or 30m/);
    expect(() => parseRolloutArgs(["--batch-size", "5", "--every", "1d", "--start", "soon"])).toThrow(/--start must be an ISO/);
    expect(() => parseRolloutArgs(["--batch-size", "5", "--every", "1d", "--force"])).toThrow(/unknown argument --force/);
  });
});
