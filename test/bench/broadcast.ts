/**
 * npm run bench:broadcast -- [--reminders 3000] [--sellers 50] [--arrival-seconds N] [--think-ms 2000] [--broadcast-share 0.6]
 *
 * Recheck reminders to thousands of sellers while others are in live dialogs, through the
 * stand-in with Telegram's flood limits on (30 messages/s, 1/s per private chat) and the
 * product's own budget (TELEGRAM_MESSAGES_PER_SECOND=30, TELEGRAM_CHAT_MESSAGES_PER_SECOND=1,
 * BROADCAST_SHARE=0.6). The stand-in, the bot and the staff process run as separate processes,
 * as `npm start` runs them; PostgreSQL and Redis are the real local services.
 *
 * - R verified sellers, bound to private chats, whose periodic recheck falls due when the
 *   sandbox clock moves forward: the staff process's sweep (run at once on a clock move)
 *   opens R recheck cases, writes R Reminder rows and queues R `send-reminder` jobs, which
 *   it sends through its broadcast Api.
 * - Meanwhile S simulated sellers (open enrolment) each run one complete dialog, answering
 *   every prompt --think-ms after it arrives (a seller quick with every answer; 0 answers at
 *   machine speed, and then Telegram's 1/s per chat, not the bot, sets the step latency);
 *   their starts are spread over --arrival-seconds (0: all at once), so dialogs are live
 *   while the reminders go out.
 *
 * Prints how much of the allowance the reminders used: while dialogs are live, reminders/s
 * against the BROADCAST_SHARE of the budget's pace they may take (target >= 90%), and with
 * no dialog live, all sends against Telegram's 30/s (>= 90%); 429s as a share of sends (< 1%),
 * reminders delivered twice (0), the dialogs' step latency p50/p95 (p95 <= 2 s), reminders
 * delivered vs expected, and wall time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sandboxClock } from "../../core/clock";
import { SANDBOX_TOKEN } from "../../core/config";
import { createDb } from "../../core/db/client";
import { recheckData } from "../../core/recheck/rechecks";
import { DAY_MS } from "../../core/recheck/policy";
import { budgetOptions } from "../../core/telegram-budget";
import { StandInClient, type SandboxMessage, type StatsJson } from "../support/stand-in-client";
import { benchProcessEnv, cpuMsOf, percentile, resetBenchState, runSellerDialog, spawnService, StepLatencies, stopService } from "./support";

const { values: opt } = parseArgs({
  options: {
    reminders: { type: "string", default: "3000" },
    sellers: { type: "string", default: "50" },
    /** dialog starts spread evenly over this many seconds; default: three quarters of the reminders' expected time */
    "arrival-seconds": { type: "string" },
    /** the product's BROADCAST_SHARE (config default 0.6) */
    "broadcast-share": { type: "string", default: "0.6" },
    "think-ms": { type: "string", default: "2000" },
    port: { type: "string", default: "18182" },
    /** give up waiting for the reminders after this many seconds */
    timeout: { type: "string", default: "900" },
  },
});
const R = Number(opt.reminders);
const S = Number(opt.sellers);
const SHARE = Number(opt["broadcast-share"]);
const THINK_MS = Number(opt["think-ms"]);
const PORT = Number(opt.port);
const TIMEOUT_MS = Number(opt.timeout) * 1000;
const DATABASE_URL = process.env.BENCH_BROADCAST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren_bench_broadcast";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const PREFIX = "bench-broadcast";
const DATA_DIR = mkdtempSync(join(tmpdir(), "shiren-bench-broadcast-"));
/** Telegram's allowance for one bot (Bots FAQ), and about the share of it the budget paces at (core/telegram-budget.ts SAFETY). */
const TELEGRAM_PER_SECOND = 30;
const BUDGET_SAFETY = 0.95;
const ARRIVAL_S = opt["arrival-seconds"] !== undefined ? Number(opt["arrival-seconds"]) : Math.round((0.75 * R) / (TELEGRAM_PER_SECOND * BUDGET_SAFETY * SHARE));
/** Reminder recipients and dialog sellers: disjoint ranges of Telegram user ids. */
const REMINDED_USER = 800_000_000;
const DIALOG_USER = 960_000_000;
/** Rechecks fall due this long after the bench starts (no sweep before the clock moves sees them)... */
const DUE_AFTER_MS = 7 * DAY_MS + 10 * 60_000;
/** ...and the sandbox clock moves this far: one sweep then finds them all due (first reminder: 7 days before). */
const CLOCK_ADVANCE_S = 20 * 60;

const note = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (a: number, b: number) => (b ? (100 * a) / b : NaN);

async function mapLimit<T, U>(items: readonly T[], limit: number, fn: (x: T, i: number) => Promise<U>): Promise<U[]> {
  const out: U[] = new Array<U>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

interface Sample {
  /** ms since the clock moved */
  t: number;
  ok: number;
  calls: number;
  tooMany: number;
  /** ok sends to reminded sellers' chats */
  reminders: number;
  liveDialogs: number;
}

function sampleOf(t: number, st: StatsJson, liveDialogs: number): Sample {
  let reminders = 0;
  for (const [chat, c] of Object.entries(st.chats)) {
    const id = Number(chat);
    if (id >= REMINDED_USER && id < REMINDED_USER + R) reminders += c.ok;
  }
  return { t, ok: st.total.ok, calls: st.total.calls, tooMany: st.total.too_many, reminders, liveDialogs };
}

async function main(): Promise<void> {
  const wall0 = performance.now();
  note(`resetting the bench database (${new URL(DATABASE_URL).pathname.slice(1)}) and the Redis keys ${PREFIX}:*`);
  await resetBenchState(DATABASE_URL, REDIS_URL, PREFIX);

  // R sellers verified 173 days ago, each bound to their private chat, due for their periodic recheck.
  note(`creating ${R} verified sellers bound to private chats`);
  const db = createDb(DATABASE_URL);
  const now = Date.now();
  const locales = ["en", "zh-Hans", "zh-Hant"] as const;
  for (let from = 0; from < R; from += 1000) {
    await db.seller.createMany({
      data: Array.from({ length: Math.min(1000, R - from) }, (_, k) => {
        const i = from + k;
        return {
          shopId: `bcast-${i}`,
          shopName: `Broadcast ${i}`,
          telegramUserId: BigInt(REMINDED_USER + i),
          telegramChatId: BigInt(REMINDED_USER + i),
          locale: locales[i % 3]!,
          status: "verified" as const,
          boundAt: new Date(now - 173 * DAY_MS),
          lastVerifiedAt: new Date(now - 173 * DAY_MS),
          nextRecheckAt: new Date(now + DUE_AFTER_MS + i),
        };
      }),
    });
  }

  note("starting the stand-in (flood model: Telegram's limits)");
  const standIn = await spawnService("stand-in", ["sandbox/stand-in/main.ts", "--port", String(PORT), "--log-level", "info", "--flood-model"], {}, /"ready/);
  const url = `http://127.0.0.1:${PORT}`;
  const client = new StandInClient(url);

  // A private chat exists on Telegram once its user has written to the bot, as each of these
  // sellers did in their first dialog. Each writes once now, before the bot runs; the updates
  // are then confirmed the way the bot confirms what it handled (getUpdates with the next
  // offset), as if handled back then. The chats stay, with the user's message in them.
  note(`opening ${R} private chats (each seller wrote to the bot once, long ago)`);
  await mapLimit(Array.from({ length: R }, (_, i) => i), 32, (i) =>
    client.send(REMINDED_USER + i, { text: "/start", from: { first_name: `Shop${i}`, language_code: ["en", "zh-hans", "zh-hant"][i % 3]! } }),
  );
  const api = async <T>(method: string, params: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`${url}/bot${SANDBOX_TOKEN}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(params) });
    const body = (await res.json()) as { ok: boolean; result: T; description?: string };
    if (!body.ok) throw new Error(`${method}: ${body.description}`);
    return body.result;
  };
  const [last] = await api<{ update_id: number }[]>("getUpdates", { offset: -1, limit: 1, timeout: 0 });
  if (last) await api("getUpdates", { offset: last.update_id + 1, limit: 1, timeout: 0 });
  if ((await client.botInfo()).pending_updates !== 0) throw new Error("the setup's updates were not confirmed");

  const env = {
    ...benchProcessEnv({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX, dataDir: DATA_DIR, apiRoot: url }),
    OPEN_ENROLMENT: "true",
    // the product's budget at Telegram's figures
    TELEGRAM_MESSAGES_PER_SECOND: "30",
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1",
    BROADCAST_SHARE: String(SHARE),
  };
  note("starting the bot and the staff process");
  const bot = await spawnService("bot", ["bot/main.ts"], env, /bot running/);
  const staff = await spawnService("staff", ["workers/staff-main.ts"], env, /staff worker running/);
  // The staff process sweeps once as it starts: nothing is due yet. Wait for that sweep to finish.
  const clock = await sandboxClock(REDIS_URL, PREFIX);
  const { Redis } = await import("ioredis");
  const redis = new Redis(REDIS_URL);
  for (let k = 0; k < 100 && (await redis.zcard(`${PREFIX}:sweep:completed`)) === 0; k++) await sleep(200);
  if ((await db.reminder.count()) !== 0) throw new Error("reminders were written before the clock moved");

  await client.resetStats();
  const cpu0 = { bot: cpuMsOf(bot.pid!), staff: cpuMsOf(staff.pid!), standIn: cpuMsOf(standIn.pid!) };
  const latencies = new StepLatencies();
  let live = 0;
  let dialogsDone = 0;
  let failures = 0;
  const errors: string[] = [];
  const samples: Sample[] = [];
  let sampling = true;

  note(`moving the sandbox clock ${CLOCK_ADVANCE_S / 60} min: the staff process sweeps at once; ${S} dialogs start over ${ARRIVAL_S} s`);
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const sampler = (async () => {
    while (sampling) {
      const t = since();
      samples.push(sampleOf(t, await client.stats(), live));
      await sleep(Math.max(0, 500 - (since() - t)));
    }
  })();
  await clock.advance(CLOCK_ADVANCE_S);
  const dialogs = Promise.all(
    Array.from({ length: S }, async (_, i) => {
      await sleep(S > 1 ? (i * ARRIVAL_S * 1000) / S : 0);
      live++;
      try {
        await runSellerDialog(client, DIALOG_USER + i, i, latencies, { timeoutMs: 120_000, thinkMs: THINK_MS });
      } catch (err) {
        failures++;
        if (errors.length < 5) errors.push(String(err));
      } finally {
        live--;
        dialogsDone++;
      }
    }),
  );

  // Until every reminder row says it went out (or nothing moves for two minutes).
  let sent = 0;
  let lastProgress = since();
  while (since() < TIMEOUT_MS) {
    const n = await db.reminder.count({ where: { sentAt: { not: null } } });
    if (n !== sent) lastProgress = since();
    sent = n;
    if (sent >= R && dialogsDone === S) break;
    if (since() - lastProgress > 120_000 && dialogsDone === S) break;
    await sleep(1000);
  }
  await dialogs;
  const busySeconds = since() / 1000;
  // A few seconds more, for a late duplicate or retry to show.
  await sleep(3000);
  sampling = false;
  await sampler;
  const cpu = { bot: cpuMsOf(bot.pid!) - cpu0.bot, staff: cpuMsOf(staff.pid!) - cpu0.staff, standIn: cpuMsOf(standIn.pid!) - cpu0.standIn };
  const final = await client.stats();
  const outcomes = await db.reminder.groupBy({ by: ["outcome"], _count: { _all: true } });
  const rows = await db.reminder.findMany({ select: { sellerId: true, caseId: true, sentAt: true, outcome: true, seller: { select: { telegramChatId: true } } } });
  const sentTimes = rows.filter((r) => r.outcome === "sent" && r.sentAt).map((r) => r.sentAt!.getTime());

  // What each reminded seller's chat holds: exactly one reminder, with the button of their recheck.
  note("reading every reminded chat");
  const caseOf = new Map(rows.map((r) => [Number(r.seller.telegramChatId), r.caseId]));
  const chats = await mapLimit(Array.from({ length: R }, (_, i) => REMINDED_USER + i), 32, (id) => client.messages(id, { after: 0 }));
  let delivered = 0;
  let duplicates = 0;
  let wrongButton = 0;
  chats.forEach((msgs: SandboxMessage[], i) => {
    if (msgs.length) delivered++;
    duplicates += Math.max(0, msgs.length - 1);
    const want = caseOf.get(REMINDED_USER + i);
    const data = (msgs[0]?.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined)?.inline_keyboard?.flat()[0]?.callback_data;
    if (msgs.length && (!want || data !== recheckData(want))) wrongButton++;
  });
  const rowsPerSeller = new Map<string, number>();
  for (const r of rows) if (r.outcome === "sent") rowsPerSeller.set(r.sellerId, (rowsPerSeller.get(r.sellerId) ?? 0) + 1);
  const rowDuplicates = [...rowsPerSeller.values()].reduce((a, n) => a + Math.max(0, n - 1), 0);

  await Promise.all([stopService(bot), stopService(staff)]);
  await stopService(standIn);
  await clock.close();
  redis.disconnect();
  await db.$disconnect();
  rmSync(DATA_DIR, { recursive: true, force: true });

  // ---------------------------------------------------------------- figures
  const offset = CLOCK_ADVANCE_S * 1000;
  const firstRem = samples.findIndex((s) => s.reminders > 0);
  const lastRem = samples.findIndex((s) => s.reminders >= Math.max(1, samples.at(-1)!.reminders));
  const a = samples[Math.max(0, firstRem - 1)]!;
  const b = samples[Math.max(0, lastRem)]!;
  const windowS = (b.t - a.t) / 1000;
  const windowSends = b.ok - a.ok;
  const sustained = windowSends / windowS;
  const total = final.total;
  const dialogSends = Object.entries(final.chats)
    .filter(([c]) => Number(c) >= DIALOG_USER && Number(c) < DIALOG_USER + S)
    .reduce((n, [, c]) => n + c.ok, 0);
  const reminderSends = total.ok - dialogSends;
  const firstSentAt = sentTimes.length ? Math.min(...sentTimes) - offset : NaN;
  const lastSentAt = sentTimes.length ? Math.max(...sentTimes) - offset : NaN;
  const all = latencies.all();
  const p95 = percentile(all, 95);

  const share = pct(sustained, TELEGRAM_PER_SECOND);
  const share429 = pct(total.too_many, total.calls);
  const dups = Math.max(duplicates, rowDuplicates);
  const met = (ok: boolean) => (ok ? "MET" : "MISSED");

  console.log(`\nbench:broadcast  reminders=${R} dialog sellers=${S} (starts spread over ${ARRIVAL_S} s, answering after ${THINK_MS} ms)  BROADCAST_SHARE=${SHARE}`);
  console.log("(2-core machine; stand-in with Telegram's limits, bot, staff process, PostgreSQL, Redis and this driver share it)");
  console.log(`\nsends (stand-in, counted methods): ${total.ok} ok of ${total.calls} calls = ${reminderSends} to reminded chats + ${dialogSends} in dialogs`);
  console.log(
    `window: first reminder -> last reminder ${windowS.toFixed(1)} s, ${windowSends} sends in it; the sweep took ${(a.t / 1000).toFixed(1)} s from the clock move to the first reminder`,
  );
  console.log(`sustained: ${sustained.toFixed(1)} messages/s = ${share.toFixed(1)}% of Telegram's ${TELEGRAM_PER_SECOND}/s over the whole window`);
  // The window split by whether dialogs were live at a sample's end, or had been within the time after
  // their last send that the budget still counts them live: what the reminders may take differs.
  const { activeWindowMs } = budgetOptions({ TELEGRAM_MESSAGES_PER_SECOND: 30, TELEGRAM_CHAT_MESSAGES_PER_SECOND: 1, STAFF_GROUP_MESSAGES_PER_MINUTE: 20, BROADCAST_SHARE: SHARE });
  const lastLive = samples.filter((q) => q.liveDialogs > 0).at(-1)?.t ?? -Infinity;
  const phase = (live: boolean) => {
    let secs = 0;
    let sends = 0;
    let rems = 0;
    for (let k = Math.max(1, firstRem); k <= lastRem; k++) {
      const [p, q] = [samples[k - 1]!, samples[k]!];
      if ((q.liveDialogs > 0 || q.t <= lastLive + activeWindowMs) !== live) continue;
      secs += (q.t - p.t) / 1000;
      sends += q.ok - p.ok;
      rems += q.reminders - p.reminders;
    }
    return { secs, total: sends / (secs || 1), reminders: rems / (secs || 1) };
  };
  const busy = phase(true);
  const quiet = phase(false);
  const sharePace = TELEGRAM_PER_SECOND * BUDGET_SAFETY * SHARE;
  if (busy.secs > 0)
    console.log(
      `  dialogs live (${busy.secs.toFixed(0)} s, until ${activeWindowMs / 1000} s after their last send): ${busy.total.toFixed(1)} messages/s, of them reminders ${busy.reminders.toFixed(1)}/s = ${pct(busy.reminders, sharePace).toFixed(1)}% of the ${sharePace.toFixed(1)}/s BROADCAST_SHARE lets them take  [target >= 90%: ${met(pct(busy.reminders, sharePace) >= 90)}]`,
    );
  if (quiet.secs > 0)
    console.log(
      `  no dialog live (${quiet.secs.toFixed(0)} s): ${quiet.total.toFixed(1)} messages/s = ${pct(quiet.total, TELEGRAM_PER_SECOND).toFixed(1)}% of Telegram's ${TELEGRAM_PER_SECOND}/s  [target >= 90%: ${met(pct(quiet.total, TELEGRAM_PER_SECOND) >= 90)}]`,
    );
  const remRate = sentTimes.length > 1 ? (sentTimes.length - 1) / ((lastSentAt - firstSentAt) / 1000) : NaN;
  console.log(`reminders alone: ${remRate.toFixed(1)}/s (Reminder.sentAt, first to last); dialogs' own sends: ${dialogSends}`);
  console.log(`429s: ${total.too_many} = ${share429.toFixed(2)}% of ${total.calls} send calls  [target < 1%: ${met(share429 < 1)}]`);
  console.log(
    `duplicates: ${duplicates} extra reminder messages in ${R} chats (stand-in), ${rowDuplicates} sellers with two sent Reminder rows  [target 0: ${met(dups === 0)}]`,
  );
  console.log(
    `reminders: ${delivered}/${R} chats got one (expected ${R}); rows: ${outcomes.map((o) => `${o.outcome ?? "unsent"} ${o._count._all}`).join(", ")}; ${wrongButton} without their recheck's button`,
  );
  console.log(`dialogs: ${S - failures}/${S} completed; step latency (answer sent -> next prompt received):`);
  console.log(latencies.table());
  console.log(`dialog step p95 ${p95.toFixed(0)} ms  [target <= 2000 ms: ${met(p95 <= 2000)}]`);
  console.log(
    `CPU over the run: bot ${(cpu.bot / 1000).toFixed(1)} s, staff process ${(cpu.staff / 1000).toFixed(1)} s (${(cpu.staff / Math.max(1, sent)).toFixed(1)} ms per reminder), stand-in ${(cpu.standIn / 1000).toFixed(1)} s`,
  );
  console.log(`wall time: ${((performance.now() - wall0) / 1000).toFixed(1)} s in all, ${busySeconds.toFixed(1)} s from the clock move to the last reminder and dialog`);

  console.log("\ntimeline (10 s buckets from the clock move): sends/s total = reminders + dialogs, 429s, dialogs live at the bucket's end");
  console.log("   from s   total/s   reminders/s   dialogs/s   429s   live");
  for (let from = 0; from * 1000 <= samples.at(-1)!.t; from += 10) {
    const inB = samples.filter((s) => s.t >= from * 1000 && s.t < (from + 10) * 1000);
    const prev = samples.filter((s) => s.t < from * 1000).at(-1) ?? { ok: 0, reminders: 0, tooMany: 0, t: 0 };
    const end = inB.at(-1);
    if (!end) continue;
    const secs = (end.t - prev.t) / 1000 || 1;
    const tot = (end.ok - prev.ok) / secs;
    const rem = (end.reminders - prev.reminders) / secs;
    console.log(
      `${String(from).padStart(9)} ${tot.toFixed(1).padStart(9)} ${rem.toFixed(1).padStart(13)} ${(tot - rem).toFixed(1).padStart(11)} ${String(end.tooMany - prev.tooMany).padStart(6)} ${String(end.liveDialogs).padStart(6)}`,
    );
  }
  if (errors.length) console.log(`\ndialog failures (first ${errors.length}):\n${errors.join("\n")}`);
  process.exit(failures || delivered < R ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
