/**
 * npm run bench:dialog -- [--sellers 1000] [--concurrency 200] [--no-limits]
 *
 * N simulated sellers run the complete dialog concurrently through the Bot API
 * stand-in, over HTTP, exactly as an outside script would: deep link, consent,
 * region, name, ID number, contact, document photo, gesture selfie. The stand-in
 * and the bot run as separate processes (as in `npm start`); PostgreSQL and Redis
 * are the real local services.
 *
 * By default the stand-in answers 429 beyond Telegram's limits (30 messages/s, 1/s per
 * chat) and the bot runs with its real budget: the figure is the dialogs/s Telegram lets
 * one bot complete. `--no-limits` switches the flood model off and raises the budget, for
 * the bot's raw capacity. Prints dialogs/s, sends and 429s, the bot's CPU ms per dialog
 * and p50/p95 per step.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../../core/config";
import { PiiCrypto } from "../../core/crypto";
import { createDb } from "../../core/db/client";
import { importSeller } from "../../core/verification/sellers";
import { StandInClient } from "../support/stand-in-client";
import { benchProcessEnv, cpuMsOf, resetBenchState, runSellerDialog, spawnService, StepLatencies, stopService } from "./support";

const { values: opt } = parseArgs({
  options: {
    sellers: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "200" },
    port: { type: "string", default: "18181" },
    "no-limits": { type: "boolean", default: false },
    /** how long one step may wait for the bot's answer before the dialog counts as failed */
    "step-timeout": { type: "string" },
  },
});
const N = Number(opt.sellers);
const C = Number(opt.concurrency);
const PORT = Number(opt.port);
const LIMITS = !opt["no-limits"];
const STEP_TIMEOUT_MS = Number(opt["step-timeout"] ?? (LIMITS ? 180 : 30)) * 1000;
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren_bench";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const PREFIX = "bench";
const DATA_DIR = mkdtempSync(join(tmpdir(), "shiren-bench-"));
/** Telegram's allowance for one bot (Bots FAQ): messages per second over all chats. */
const TELEGRAM_PER_SECOND = 30;

const note = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

async function main(): Promise<void> {
  note("resetting the bench database and Redis keys");
  await resetBenchState(DATABASE_URL, REDIS_URL, PREFIX);
  note(`importing ${N} sellers`);
  const config = parseConfig({ DATABASE_URL });
  const db = createDb(DATABASE_URL);
  const crypto = new PiiCrypto(config.PII_KEY);
  const tokens: string[] = [];
  for (let i = 0; i < N; i++) {
    const r = await importSeller(
      { db, crypto, now: () => new Date() },
      { shopId: `bench-${i}`, shopName: `Bench ${i}`, reservedPhone: `+86138${String(10_000_000 + i).slice(-8)}`, riskFlags: [] },
      { tokenTtlDays: 1 },
    );
    tokens.push(r.token!);
  }
  await db.$disconnect();

  note(`starting the stand-in and the bot (${LIMITS ? "Telegram's limits: flood model on, real budget" : "--no-limits: flood model off, budget raised"})`);
  const standIn = await spawnService(
    "stand-in",
    ["sandbox/stand-in/main.ts", "--port", String(PORT), "--log-level", "info", ...(LIMITS ? ["--flood-model"] : [])],
    {},
    /"ready/,
  );
  const url = `http://127.0.0.1:${PORT}`;
  const env = {
    // the dialog is measured here; the checks have their own bench (bench:checks)
    ...benchProcessEnv({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, prefix: PREFIX, dataDir: DATA_DIR, apiRoot: url }),
    ...(LIMITS
      ? // the product's figures, as in production
        { TELEGRAM_MESSAGES_PER_SECOND: "30", TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1", BROADCAST_SHARE: "0.6" }
      : {
          // simulated sellers answer within milliseconds: the per-user flood limit and the budget would stop them
          RATE_LIMIT_PER_SECOND: "1000",
          TELEGRAM_MESSAGES_PER_SECOND: "10000",
          TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1000",
        }),
  };
  // BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bot
  const bot = await spawnService("bot", ["bot/main.ts"], env, /bot running/, process.env.BENCH_BOT_NODE_ARGS?.split(" ") ?? []);
  const client = new StandInClient(url);
  const limits = await client.limits();
  await client.resetStats();
  note(`running ${N} dialogs, ${C} at a time`);
  const latencies = new StepLatencies();
  let failures = 0;
  const errors: string[] = [];
  const cpu0 = { bot: cpuMsOf(bot.pid!), standIn: cpuMsOf(standIn.pid!) };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(C, N) }, async () => {
      while (next < N) {
        const i = next++;
        try {
          await runSellerDialog(client, 900_000_000 + i, i, latencies, { token: tokens[i]!, timeoutMs: STEP_TIMEOUT_MS });
        } catch (err) {
          failures++;
          if (errors.length < 5) errors.push(String(err));
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = { bot: cpuMsOf(bot.pid!) - cpu0.bot, standIn: cpuMsOf(standIn.pid!) - cpu0.standIn };
  const stats = await client.stats();
  await stopService(bot);
  await stopService(standIn);
  rmSync(DATA_DIR, { recursive: true, force: true });

  const done = N - failures;
  const sends = stats.total.ok;
  const perDialog = done ? sends / done : NaN;
  const rate = done / secs;
  console.log(`\nbench:dialog  sellers=${N} concurrency=${C}  (2-core machine; stand-in, bot, PostgreSQL, Redis and this driver share it)`);
  console.log(
    LIMITS
      ? `limits: Telegram's (flood model on: ${limits.per_second}/s overall, ${limits.per_chat_per_second}/s per chat, burst ${limits.chat_burst}); the bot's budget 30/s, 1/s per chat`
      : "limits: none (--no-limits: flood model off, budget raised to 10000/s, 1000/s per chat): the bot's raw capacity",
  );
  console.log(`completed ${done}/${N} dialogs in ${secs.toFixed(2)} s  ->  ${rate.toFixed(2)} complete dialogs/s  (${((done * 11) / secs).toFixed(0)} updates/s)`);
  console.log(
    `bot sends (counted by the stand-in): ${sends} ok = ${perDialog.toFixed(1)} per dialog, ${(sends / secs).toFixed(1)}/s ` +
      `(${((100 * sends) / secs / TELEGRAM_PER_SECOND).toFixed(0)}% of Telegram's ${TELEGRAM_PER_SECOND}/s); 429s: ${stats.total.too_many} ` +
      `(${((100 * stats.total.too_many) / Math.max(1, stats.total.calls)).toFixed(2)}% of ${stats.total.calls} calls)`,
  );
  if (LIMITS && done) {
    const allowed = TELEGRAM_PER_SECOND / perDialog;
    console.log(`Telegram's limits allow ${TELEGRAM_PER_SECOND}/s / ${perDialog.toFixed(1)} sends = ${allowed.toFixed(2)} complete dialogs/s; measured ${rate.toFixed(2)} (${((100 * rate) / allowed).toFixed(0)}% of it)`);
  }
  console.log(
    `CPU per completed dialog: bot ${(cpu.bot / Math.max(1, done)).toFixed(1)} ms (${(cpu.bot / 1000).toFixed(1)} s over the run, ${((100 * cpu.bot) / 1000 / secs).toFixed(0)}% of one core); ` +
      `stand-in ${(cpu.standIn / Math.max(1, done)).toFixed(1)} ms`,
  );
  console.log("");
  console.log(latencies.table());
  if (errors.length) console.log(`\nfailures (first ${errors.length}):\n${errors.join("\n")}`);
  process.exit(failures ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
