import { sandboxClock } from "../../core/clock";
import { configOrExit, runIfEntry } from "../../core/entry";
import { createDb, type Db } from "../../core/db/client";
import { setupDatabase } from "../../core/db/setup";

/**
 * npm run rollout -- --batch-size N --every 1d [--start 2026-12-07T01:00:00Z] [--dry-run]
 *
 * Rolls verification out to the imported sellers who were never verified, in waves of
 * N, one every `--every`: each seller gets a wave and a date, and the staff process's
 * sweep invites the wave when its date comes (a bot message for sellers who have
 * opened the bot; the others are reached by the marketplace with their sellers:import
 * link). The plan comes first: waves, dates and the expected peak of messages per
 * second. A rerun plans only sellers imported since (after the last wave): sellers
 * already planned keep their wave.
 */
const USAGE = "usage: npm run rollout -- --batch-size <1-100000> --every <N>d|<N>h|<N>m [--start <ISO time>] [--dry-run]";
/** About the messages one complete dialog sends (the verification's prompts, acknowledgements and verdict). */
const MESSAGES_PER_DIALOG = 11;

export interface RolloutArgs {
  batchSize: number;
  everyMs: number;
  start: Date | null;
  dryRun: boolean;
}

export function parseRolloutArgs(argv: readonly string[]): RolloutArgs {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(["--batch-size", "--every", "--start", "--dry-run"]);
  const stray = argv.filter((a, i) => a.startsWith("--") ? !known.has(a) : !["--batch-size", "--every", "--start"].includes(argv[i - 1] ?? ""));
  if (stray.length) throw new Error(`unknown argument ${stray[0]}\n${USAGE}`);
  const size = value("--batch-size");
  if (!size || !/^\d+$/.test(size) || Number(size) < 1 || Number(size) > 100_000) throw new Error(`--batch-size must be a whole number from 1 to 100000 (got ${size ?? "nothing"})\n${USAGE}`);
  const every = /^(\d+)([dhm])$/.exec(value("--every") ?? "");
  if (!every || Number(every[1]) < 1) throw new Error(`--every must look like 1d, 12h or 30m (got ${value("--every") ?? "nothing"})\n${USAGE}`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[every[2] as "d" | "h" | "m"];
  const startRaw = value("--start");
  const start = startRaw ? new Date(startRaw) : null;
  if (start && Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO date and time (got ${startRaw})\n${USAGE}`);
  return { batchSize: Number(size), everyMs: Number(every[1]) * unit, start, dryRun: argv.includes("--dry-run") };
}

export interface Wave {
  wave: number;
  at: Date;
  sellers: number;
  /** of them, those who opened the bot already (the bot can message them) */
  reachable: number;
}

export interface RolloutPlan {
  planned: Wave[];
  fresh: Wave[];
  /** invitations per second at the broadcast share of the budget, and how long a wave's take */
  invitePerSecond: number;
  /** the messages of a wave's dialogs if the whole wave verifies within an hour of its invitation */
  dialogPerSecond: number;
}

/** The waves already planned, and the new waves for sellers not yet planned (after the last). */
export async function planRollout(
  db: Db,
  args: RolloutArgs,
  now: Date,
  budget: { perSecond: number; share: number },
): Promise<RolloutPlan & { assignments: { ids: string[]; wave: number; at: Date }[] }> {
  const planned = await db.seller.groupBy({ by: ["rolloutWave", "inviteAt"], where: { rolloutWave: { not: null } }, _count: { _all: true }, orderBy: { rolloutWave: "asc" } });
  const plannedWaves: Wave[] = [];
  for (const p of planned) {
    const reachable = await db.seller.count({ where: { rolloutWave: p.rolloutWave, telegramChatId: { not: null } } });
    plannedWaves.push({ wave: p.rolloutWave!, at: p.inviteAt!, sellers: p._count._all, reachable });
  }
  const last = plannedWaves.at(-1);
  const candidates = await db.seller.findMany({
    where: { shopId: { not: null }, lastVerifiedAt: null, erasedAt: null, rolloutWave: null, status: "unverified" },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: { id: true, telegramChatId: true },
  });
  const first = last ? new Date(last.at.getTime() + args.everyMs) : (args.start ?? now);
  const assignments: { ids: string[]; wave: number; at: Date }[] = [];
  const fresh: Wave[] = [];
  for (let i = 0; i < candidates.length; i += args.batchSize) {
    const k = assignments.length;
    const batch = candidates.slice(i, i + args.batchSize);
    const wave = (last?.wave ?? 0) + k + 1;
    const at = new Date(first.getTime() + k * args.everyMs);
    assignments.push({ ids: batch.map((c) => c.id), wave, at });
    fresh.push({ wave, at, sellers: batch.length, reachable: batch.filter((c) => c.telegramChatId !== null).length });
  }
  const biggest = Math.max(0, ...[...plannedWaves, ...fresh].map((w) => w.reachable));
  const invitePerSecond = Math.min(biggest, budget.perSecond * budget.share);
  const largest = Math.max(0, ...[...plannedWaves, ...fresh].map((w) => w.sellers));
  return { planned: plannedWaves, fresh, invitePerSecond, dialogPerSecond: (largest * MESSAGES_PER_DIALOG) / 3600, assignments };
}

function printPlan(plan: RolloutPlan, dryRun: boolean): void {
  const row = (w: Wave, state: string) => `  wave ${String(w.wave).padStart(3)}  ${w.at.toISOString()}  ${String(w.sellers).padStart(6)} sellers  (${w.reachable} in the bot, ${w.sellers - w.reachable} by the marketplace's link)  ${state}`;
  console.log(`rollout plan${dryRun ? " (dry run: nothing is written)" : ""}`);
  for (const w of plan.planned) console.log(row(w, "planned earlier"));
  for (const w of plan.fresh) console.log(row(w, dryRun ? "would be planned" : "planned now"));
  if (!plan.planned.length && !plan.fresh.length) console.log("  no never-verified imported sellers to invite");
  console.log(
    `expected peak: ${plan.invitePerSecond.toFixed(1)} invitations/s (the broadcast share of the Telegram budget), ` +
      `plus ${plan.dialogPerSecond.toFixed(2)} messages/s of dialogs if a whole wave verifies within the hour`,
  );
}

async function main(): Promise<void> {
  let args: RolloutArgs;
  try {
    args = parseRolloutArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const config = configOrExit(process.env);
  await setupDatabase(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);
  // The sandbox's clock, if it was moved, so a newcomer's rollout starts on the same day as the bot's.
  const clock = config.sandbox ? await sandboxClock(config.REDIS_URL, config.REDIS_PREFIX) : null;
  try {
    const now = clock?.now() ?? new Date();
    const plan = await planRollout(db, args, now, { perSecond: config.TELEGRAM_MESSAGES_PER_SECOND, share: config.BROADCAST_SHARE });
    printPlan(plan, args.dryRun);
    if (args.dryRun) return;
    for (const a of plan.assignments) {
      await db.seller.updateMany({ where: { id: { in: a.ids }, rolloutWave: null }, data: { rolloutWave: a.wave, inviteAt: a.at } });
    }
  } finally {
    await clock?.close();
    await db.$disconnect();
  }
}

runIfEntry(import.meta.url, main, { brief: true });
