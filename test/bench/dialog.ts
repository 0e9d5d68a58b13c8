/**
 * npm run bench:dialog -- [--sellers 1000] [--concurrency 200]
 *
 * N simulated sellers run the complete dialog concurrently through the Bot API
 * stand-in, over HTTP, exactly as an outside script would: deep link, consent,
 * region, name, ID number, contact, document photo, gesture selfie. The stand-in
 * and the bot run as separate processes (as in `npm start`); PostgreSQL and Redis
 * are the real local services. Prints completed dialogs/s and p50/p95 per step.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../../core/config";
import { PiiCrypto } from "../../core/crypto";
import { createDb } from "../../core/db/client";
import { createI18n, localeFromLanguageCode } from "../../core/i18n";
import { importSeller } from "../../core/verification/sellers";
import { fixture } from "../support/fixtures";
import { SellerSim } from "../support/seller-sim";
import { StandInClient } from "../support/stand-in-client";
import { percentile, resetBenchState, spawnService } from "./support";

const { values: opt } = parseArgs({
  options: {
    sellers: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "200" },
    port: { type: "string", default: "18181" },
  },
});
const N = Number(opt.sellers);
const C = Number(opt.concurrency);
const PORT = Number(opt.port);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren_bench";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const PREFIX = "bench";
const DATA_DIR = mkdtempSync(join(tmpdir(), "shiren-bench-"));

const i18n = createI18n();
const STEPS = ["start", "consent", "face", "region", "name", "id", "phone", "document", "selfie"] as const;
type Step = (typeof STEPS)[number];
const latencies = new Map<Step, number[]>(STEPS.map((s) => [s, []]));

// Photos from test/fixtures/images (FIXTURES_DIR overrides, see test/support/fixtures.ts).
const DOCS = ["facerec_obama.jpg", "facerec_biden.jpg", "human_person-vlado.jpg", "tfjs_portrait.jpg"].map((f) => readFileSync(fixture(f)).toString("base64"));
const SELFIES = ["handsdataset_5_pic00050.jpg", "handsdataset_5_pic00068.jpg", "handsdataset_996_pic00063.jpg"].map((f) =>
  readFileSync(fixture(f)).toString("base64"),
);

async function timed<T>(step: Step, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await fn();
  latencies.get(step)!.push(performance.now() - t0);
  return r;
}

async function runSeller(client: StandInClient, userId: number, token: string, i: number): Promise<void> {
  const s = new SellerSim(client, userId, { first_name: `Seller${i}`, language_code: ["en", "zh-hans", "zh-hant"][i % 3]! });
  const reply = async (step: Step, act: () => Promise<void>, count: number) =>
    timed(step, async () => {
      await act();
      for (let k = 0; k < count; k++) await s.next(30_000);
    });
  await reply("start", () => s.text(`/start ${token}`), 2);
  await reply("consent", () => s.press("consent:yes"), 1);
  await reply("face", () => s.press("face:yes"), 1);
  await reply("region", () => s.press("region:cn"), 1);
  await reply("name", () => s.text("张三"), 1);
  await reply("id", () => s.text("11010519491231002X"), 1);
  await reply("phone", () => s.send({ contact: { phone_number: `86138${String(10_000_000 + i).slice(-8)}`, user_id: userId } }), 2);
  await reply("document", () => s.send({ photo: DOCS[i % DOCS.length]! }), 1);
  await reply("selfie", () => s.send({ photo: SELFIES[i % SELFIES.length]! }), 1);
  const last = s.history.at(-1)?.text ?? "";
  const expected = i18n.t(localeFromLanguageCode(s.from.language_code), "verify-checking");
  if (last !== expected) throw new Error(`seller ${i}: expected "${expected}", got ${JSON.stringify(last)}`);
}

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

  note("starting the stand-in and the bot");
  const standIn = await spawnService("stand-in", ["core/telegram-stand-in/main.ts", "--port", String(PORT), "--log-level", "info"], {}, /"ready/);
  const url = `http://127.0.0.1:${PORT}`;
  const env = {
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    DATABASE_URL,
    REDIS_URL,
    REDIS_PREFIX: PREFIX,
    DATA_DIR,
    TELEGRAM_API_ROOT: url,
    // simulated sellers answer within milliseconds: the per-user flood limit would stop them
    RATE_LIMIT_PER_SECOND: "1000",
    // the dialog is measured here; the checks have their own bench (bench:checks)
    WORKER_PROCESSES: "0",
  };
  // BENCH_BOT_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the bot
  const bot = await spawnService("bot", ["bot/main.ts"], env, /bot running/, process.env.BENCH_BOT_NODE_ARGS?.split(" ") ?? []);
  const client = new StandInClient(url);
  note(`running ${N} dialogs, ${C} at a time`);
  let failures = 0;
  const errors: string[] = [];
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(C, N) }, async () => {
      while (next < N) {
        const i = next++;
        try {
          await runSeller(client, 900_000_000 + i, tokens[i]!, i);
        } catch (err) {
          failures++;
          if (errors.length < 5) errors.push(String(err));
        }
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  bot.kill("SIGTERM");
  standIn.kill("SIGTERM");
  rmSync(DATA_DIR, { recursive: true, force: true });

  const done = N - failures;
  console.log(`\nbench:dialog  sellers=${N} concurrency=${C}  (2-core machine; stand-in, bot, PostgreSQL, Redis and this driver share it)`);
  console.log(`completed ${done}/${N} dialogs in ${secs.toFixed(2)} s  ->  ${(done / secs).toFixed(1)} complete dialogs/s  (${((done * 11) / secs).toFixed(0)} updates/s)`);
  console.log("\nstep        p50 ms   p95 ms   max ms");
  for (const s of STEPS) {
    const xs = latencies.get(s)!;
    console.log(`${s.padEnd(10)} ${percentile(xs, 50).toFixed(1).padStart(7)} ${percentile(xs, 95).toFixed(1).padStart(8)} ${Math.max(...xs).toFixed(1).padStart(8)}`);
  }
  if (errors.length) console.log(`\nfailures (first ${errors.length}):\n${errors.join("\n")}`);
  process.exit(failures ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
