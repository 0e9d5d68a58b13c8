import { execSync, spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { setupDatabase } from "../../core/db/setup";
import { createI18n, localeFromLanguageCode } from "../../core/i18n";
import { fixture } from "../support/fixtures";
import { SellerSim } from "../support/seller-sim";
import type { StandInClient } from "../support/stand-in-client";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Empties every table of the bench database (created and migrated when missing) and the bench's Redis keys. */
export async function resetBenchState(databaseUrl: string, redisUrl: string, prefix: string): Promise<void> {
  await setupDatabase(databaseUrl);
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  // Every table the migrations made, so a table added later is emptied too.
  const { rows } = await c.query<{ name: string }>(`select tablename as name from pg_tables where schemaname = 'public' and tablename <> '_prisma_migrations'`);
  if (rows.length) await c.query(`truncate ${rows.map((r) => `"${r.name}"`).join(", ")} cascade`);
  await c.end();
  const r = new Redis(redisUrl);
  let cursor = "0";
  do {
    const [next, keys] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== "0");
  r.disconnect();
}

/**
 * Starts `node --import tsx <args>` and resolves once its output matches `ready`.
 * Output is read for the whole life of the child (only a tail is kept): a full pipe would block it.
 */
export function spawnService(name: string, args: string[], env: Record<string, string>, ready: RegExp, nodeArgs: string[] = []): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeArgs, "--import", "tsx", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let started = false;
    const onData = (d: Buffer) => {
      out = (out + d.toString()).slice(-4000);
      if (!started && ready.test(out)) {
        started = true;
        resolve(p);
      }
    };
    p.stdout!.on("data", onData);
    p.stderr!.on("data", onData);
    p.once("exit", (code) => !started && reject(new Error(`${name} exited with ${code}:\n${out.slice(-2000)}`)));
  });
}

/** Stops a child and waits for it to exit (SIGKILL after `graceMs`). */
export function stopService(p: ChildProcess, graceMs = 15_000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => p.kill("SIGKILL"), graceMs);
    p.once("exit", () => {
      clearTimeout(t);
      resolve();
    });
    p.kill("SIGTERM");
  });
}

let clockTicks: number | undefined;

/** CPU time (user + system, all threads) a process has used so far, in ms, from /proc (Linux). */
export function cpuMsOf(pid: number): number {
  clockTicks ??= Number(execSync("getconf CLK_TCK").toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after "(comm)": state is field 3, utime 14 and stime 15.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks;
}

export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

// ---------------------------------------------------------------- the simulated seller

export const DIALOG_STEPS = ["start", "consent", "face", "region", "name", "id", "phone", "document", "selfie"] as const;
export type DialogStep = (typeof DIALOG_STEPS)[number];

/** Each step's latency: from the seller's answer being sent to the bot's next prompt having arrived. */
export class StepLatencies {
  readonly byStep = new Map<DialogStep, number[]>(DIALOG_STEPS.map((s) => [s, []]));

  add(step: DialogStep, ms: number): void {
    this.byStep.get(step)!.push(ms);
  }

  all(): number[] {
    return [...this.byStep.values()].flat();
  }

  /** p50/p95/max per step and over all steps. */
  table(): string {
    const row = (name: string, xs: number[]) =>
      `${name.padEnd(10)} ${String(xs.length).padStart(6)} ${percentile(xs, 50).toFixed(1).padStart(8)} ${percentile(xs, 95).toFixed(1).padStart(8)} ${(xs.length ? Math.max(...xs) : NaN).toFixed(1).padStart(8)}`;
    return [
      "step            n   p50 ms   p95 ms   max ms",
      ...DIALOG_STEPS.map((s) => row(s, this.byStep.get(s)!)),
      row("all steps", this.all()),
    ].join("\n");
  }
}

const i18n = createI18n();
// Photos from test/fixtures/images (FIXTURES_DIR overrides, see test/support/fixtures.ts).
const DOCS = ["facerec_obama.jpg", "facerec_biden.jpg", "human_person-vlado.jpg", "tfjs_portrait.jpg"].map((f) => readFileSync(fixture(f)).toString("base64"));
const SELFIES = ["handsdataset_5_pic00050.jpg", "handsdataset_5_pic00068.jpg", "handsdataset_996_pic00063.jpg"].map((f) => readFileSync(fixture(f)).toString("base64"));

/**
 * One seller through the whole dialog, answering each prompt once it has all arrived: deep link
 * (`token`; none with OPEN_ENROLMENT), consent, face consent, region, name, ID number, contact,
 * document photo, gesture selfie; ends at "checking your photos". `thinkMs` is how long the seller
 * takes to answer, left out of the step latency (default 0: at machine speed, which Telegram's
 * 1/s per chat then paces, not the bot).
 */
export async function runSellerDialog(
  client: StandInClient,
  userId: number,
  i: number,
  latencies: StepLatencies,
  opts: { token?: string; timeoutMs?: number; thinkMs?: number } = {},
): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const s = new SellerSim(client, userId, { first_name: `Seller${i}`, language_code: ["en", "zh-hans", "zh-hant"][i % 3]! });
  const reply = async (step: DialogStep, act: () => Promise<void>, count: number) => {
    if (opts.thinkMs && step !== "start") await new Promise((r) => setTimeout(r, opts.thinkMs));
    const t0 = performance.now();
    await act();
    for (let k = 0; k < count; k++) await s.next(timeoutMs);
    latencies.add(step, performance.now() - t0);
  };
  await reply("start", () => s.text(opts.token ? `/start ${opts.token}` : "/start"), 2);
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

/**
 * A freshly migrated schema of its own inside a bench database (dropped first when present).
 * `prisma migrate deploy` only targets public through the pg adapter (test/support/db.ts), so
 * the committed migration files are run directly.
 */
export async function migrateSchema(databaseUrl: string, schema: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(schema)) throw new Error(`unsupported schema name "${schema}"`);
  const dir = `${ROOT}prisma/migrations`;
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(`drop schema if exists "${schema}" cascade; create schema "${schema}"; set search_path to "${schema}"`);
    for (const m of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      await c.query(readFileSync(`${dir}/${m}/migration.sql`, "utf8").replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, ""));
    }
  } finally {
    await c.end();
  }
}

/** The environment of the product's processes a bench starts: its own database, Redis prefix and photo store, no metrics port, no verification workers (bench:checks measures those). */
export function benchProcessEnv(o: { databaseUrl: string; redisUrl: string; prefix: string; dataDir: string; apiRoot: string }): Record<string, string> {
  return {
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    REDIS_PREFIX: o.prefix,
    DATA_DIR: o.dataDir,
    TELEGRAM_API_ROOT: o.apiRoot,
    METRICS_PORT: "0",
    WORKER_PROCESSES: "0",
  };
}
