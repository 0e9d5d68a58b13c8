import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:net";
import { createRequire } from "node:module";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../core/config";
import { createLogger } from "../../core/logger";
import { createRegistry, metricsPortOf, watchQueues } from "../../core/metrics";
import { startBot } from "../../bot/main";
import { startWorkers } from "../../workers/main";
import { startStaffWorkers } from "../../workers/staff-main";
import { driveTo, startDialog } from "../support/dialog-steps";
import { TEST_REDIS_URL } from "../support/env";
import { startHarness, type Harness } from "../support/harness";

/**
 * /healthz, /readyz and /metrics of the bot, the staff process and a verification worker,
 * over real HTTP, after a real dialog and a real check (PostgreSQL, Redis, the Bot API
 * stand-in and the TensorFlow.js models). /metrics is read with a Prometheus text parser.
 */

type Sample = { labels?: Record<string, string>; value?: string };
type Family = { name: string; help: string; type: string; metrics: Sample[] };
const parsePrometheus = createRequire(import.meta.url)("parse-prometheus-text-format") as (text: string) => Family[];

const silent = createLogger({ level: "silent" });

/**
 * Families by name. parse-prometheus-text-format 1.1.1 folds all series of a labelled histogram
 * into one sample without labels (yunyu/parse-prometheus-text-format#13; the fix, PR #8, was never
 * released), so histograms are read a second time as their plain `_bucket`, `_sum` and `_count`
 * series, which it parses with their labels. Each family keeps the type of the first parse.
 */
function parseMetrics(text: string): Map<string, Family> {
  const out = new Map(parsePrometheus(text).map((f) => [f.name, f]));
  for (const f of parsePrometheus(text.replace(/^# TYPE (\S+) (histogram|summary)$/gm, "# TYPE $1 untyped"))) {
    if (!/_(bucket|sum|count)$/.test(f.name) || out.get(f.name)?.type === "COUNTER") continue;
    const seen = out.get(f.name);
    if (seen) seen.metrics.push(...f.metrics);
    else out.set(f.name, { ...f, metrics: [...f.metrics] });
  }
  return out;
}

async function scrape(base: string): Promise<Map<string, Family>> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await res.text());
}

const matching = (f: Family | undefined, labels: Record<string, string>) =>
  (f?.metrics ?? []).filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));

/** Sum of a counter's or gauge's samples whose labels include `labels` (0 when there are none). */
const value = (m: Map<string, Family>, name: string, labels: Record<string, string> = {}) =>
  matching(m.get(name), labels).reduce((sum, s) => sum + Number(s.value), 0);

/** Observations of a histogram in its series whose labels include `labels`. */
function observations(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  expect(m.get(name)?.type ?? "HISTOGRAM", name).toBe("HISTOGRAM");
  return value(m, `${name}_count`, labels);
}

async function getJson(url: string): Promise<{ status: number; body: { status: string; component: string; checks: Record<string, string> } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as never };
}

/** A port some other process holds. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as { port: number }).port, server };
}

let h: Harness;
let nextUser = 7_600_000;

beforeAll(async () => {
  h = await startHarness({}, { staff: true, verify: true });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe("health endpoints", () => {
  it("each component answers /healthz, and /readyz names what it checked", async () => {
    const components = [
      { name: "bot", url: h.bot.metrics.url, checks: ["database", "polling", "redis"] },
      { name: "staff", url: h.staff!.metrics.url, checks: ["database", "redis"] },
      { name: "worker", url: h.workers!.metrics.url, checks: ["database", "models", "redis"] },
    ];
    expect(new Set(components.map((c) => c.url)).size).toBe(3);
    for (const c of components) {
      expect(c.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const live = await fetch(`${c.url}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.text()).toBe("ok\n");
      const ready = await getJson(`${c.url}/readyz`);
      expect(ready.status, JSON.stringify(ready.body)).toBe(200);
      expect(ready.body.component).toBe(c.name);
      expect(Object.keys(ready.body.checks).sort()).toEqual(c.checks);
      expect(Object.values(ready.body.checks).every((v) => v === "ok")).toBe(true);
      expect((await fetch(`${c.url}/nope`)).status).toBe(404);
    }
  });

  it("answers /readyz 503 naming Redis when the bot's Redis connection is gone, and /metrics still answers", async () => {
    const h2 = await startHarness();
    try {
      const url = h2.bot.metrics.url;
      expect((await getJson(`${url}/readyz`)).status).toBe(200);
      expect(value(await scrape(url), "shiren_queue_jobs", { queue: "verify", state: "waiting" })).toBe(0);
      expect(matching((await scrape(url)).get("shiren_queue_jobs"), {})).toHaveLength(12);

      h2.bot.deps.redis.disconnect();
      const ready = await getJson(`${url}/readyz`);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe("not ready");
      expect(ready.body.checks.database).toBe("ok");
      expect(ready.body.checks.redis).toMatch(/writeable|closed|connect/i);
      // Queue depth cannot be read: the series are left out, never reported stale, and the scrape still works.
      const m = await scrape(url);
      expect(matching(m.get("shiren_queue_jobs"), {})).toHaveLength(0);
      expect(value(m, "shiren_process_cpu_user_seconds_total")).toBeGreaterThan(0);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      await h2.bot.deps.redis.connect();
      expect((await getJson(`${url}/readyz`)).status).toBe(200);
    } finally {
      await h2.close();
    }
  }, 60_000);
});

describe("metrics after a dialog and a check", () => {
  it("counts the dialog's updates, each step's latency once, and every Bot API call once, 429s included", async () => {
    const before = await scrape(h.bot.metrics.url);
    // Before the dialog: the check may well be done by the time the dialog's figures are read.
    const workerBefore = await scrape(h.workers!.metrics.url);
    const user = nextUser++;
    const d = await startDialog(h, user);
    await driveTo(d, "region");
    // Telegram answers the bot's next message (the name prompt, sent from inside the dialog) with 429 once.
    await h.client.injectFault({ method: "sendMessage", error_code: 429, retry_after: 1, chat_id: user });
    await driveTo(d, "checking");
    // The selfie's update is counted when its handling ends, just after the bot's last reply went out.
    const selfiesBefore = observations(before, "shiren_dialog_step_duration_seconds", { step: "selfie" });
    await expect.poll(async () => observations(await scrape(h.bot.metrics.url), "shiren_dialog_step_duration_seconds", { step: "selfie" })).toBe(selfiesBefore + 1);
    const after = await scrape(h.bot.metrics.url);
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    const stepDelta = (step: string) =>
      observations(after, "shiren_dialog_step_duration_seconds", { step }) - observations(before, "shiren_dialog_step_duration_seconds", { step });

    // /start, name, ID number, contact, ID photo, selfie; three button presses.
    expect(delta("shiren_bot_updates_total", { type: "message" })).toBe(6);
    expect(delta("shiren_bot_updates_total", { type: "callback_query" })).toBe(3);
    expect(delta("shiren_bot_handler_errors_total")).toBe(0);

    // Once per answer, although the dialog replayed every earlier answer for each new one.
    for (const step of ["consent", "face", "region", "name", "id", "phone", "document", "selfie"]) expect(stepDelta(step), step).toBe(1);
    expect(after.get("shiren_dialog_step_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(value(after, "shiren_dialog_step_duration_seconds_sum", { step: "selfie" })).toBeGreaterThan(0);
    expect(value(after, "shiren_dialog_step_duration_seconds_bucket", { step: "selfie", le: "+Inf" })).toBe(
      observations(after, "shiren_dialog_step_duration_seconds", { step: "selfie" }),
    );
    // The 429 was waited out inside the dialog and shows once; its retry succeeded.
    expect(delta("shiren_telegram_api_429_total", { method: "sendMessage" })).toBe(1);
    expect(delta("shiren_telegram_api_calls_total", { method: "sendMessage", outcome: "429" })).toBe(1);

    // Exactly the requests the stand-in served: replayed calls are answered from the replay log and are not counted.
    // (up to "checking": the worker's verdict may already be in the chat too)
    const botMessages = (await h.client.messages(user)).filter((m) => m.message_id <= d.prompts.checking!.message_id);
    expect(delta("shiren_telegram_api_calls_total", { method: "sendMessage", outcome: "ok" })).toBe(botMessages.length);
    expect(delta("shiren_telegram_api_calls_total", { method: "answerCallbackQuery", outcome: "ok" })).toBe(3);
    // The dialog leaves an answered keyboard as it is (a send saved per button step): no edits.
    expect(delta("shiren_telegram_api_calls_total", { method: "editMessageReplyMarkup", outcome: "ok" })).toBe(0);
    expect(delta("shiren_telegram_api_calls_total", { method: "getFile", outcome: "ok" })).toBe(2);
    expect(delta("shiren_telegram_api_calls_total", { method: "sendChatAction", outcome: "ok" })).toBe(2);
    expect(observations(after, "shiren_telegram_api_duration_seconds", { method: "sendMessage" })).toBeGreaterThanOrEqual(botMessages.length + 1);
    expect(value(after, "shiren_telegram_api_calls_total", { method: "getUpdates", outcome: "ok" })).toBeGreaterThan(0);

    // The bot's own registry: every series carries component="bot", with the process metrics beside them.
    for (const f of after.values()) {
      expect(f.name).toMatch(/^shiren_/);
      if (f.type === "HISTOGRAM") continue; // read through its _bucket, _sum and _count series
      for (const s of f.metrics) expect(s.labels?.component, f.name).toBe("bot");
    }
    expect(value(after, "shiren_process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.has("shiren_nodejs_eventloop_lag_seconds")).toBe(true);
    expect(after.has("shiren_check_stage_duration_seconds")).toBe(false);

    // The check that follows, through the real worker: stages, the verdict, the seller told.
    await d.s.next(60_000);
    const sub = await h.db.submission.findFirstOrThrow({ where: { case: { seller: { shopId: d.shopId } } } });
    expect(sub.status).toBe("decided");
    // The job completes just after the seller was told (it then marks the verdict delivered): read its figures then.
    await expect
      .poll(async () => {
        const labels = { queue: "verify", job: "verify-selfie", outcome: "completed" };
        return value(await scrape(h.workers!.metrics.url), "shiren_worker_jobs_total", labels) - value(workerBefore, "shiren_worker_jobs_total", labels);
      })
      .toBe(1);
    const w = await scrape(h.workers!.metrics.url);
    const wDelta = (name: string, labels: Record<string, string> = {}) => value(w, name, labels) - value(workerBefore, name, labels);
    const stageDelta = (stage: string) =>
      observations(w, "shiren_check_stage_duration_seconds", { stage }) - observations(workerBefore, "shiren_check_stage_duration_seconds", { stage });
    for (const stage of ["decode", "phash", "faces", "hands", "total"]) expect(stageDelta(stage), stage).toBe(1);
    // The ID portrait was embedded when it arrived: no reference photo is decoded in the selfie's check.
    expect(stageDelta("reference")).toBe(0);
    expect(wDelta("shiren_verdicts_total")).toBe(1);
    expect(wDelta("shiren_verdicts_total", { verdict: sub.verdict! })).toBe(1);
    const reasons = sub.reasons as string[];
    for (const reason of reasons) expect(wDelta("shiren_verdict_reasons_total", { verdict: sub.verdict!, reason }), reason).toBe(1);
    expect(wDelta("shiren_verdict_reasons_total")).toBe(reasons.length);
    expect(wDelta("shiren_worker_jobs_total", { queue: "verify", job: "embed-document", outcome: "completed" })).toBe(1);
    expect(wDelta("shiren_telegram_api_calls_total", { method: "sendMessage", outcome: "ok" })).toBe(1);

    const backend = matching(w.get("shiren_model_backend_info"), {});
    expect(backend).toHaveLength(1);
    expect(backend[0]!.value).toBe("1");
    expect(backend[0]!.labels).toMatchObject({ component: "worker", backend: expect.stringMatching(/^(wasm|cpu|node)$/), tfjs: "4.22.0", human: "3.3.6" });

    // Queue depth, read from Redis at scrape time: every queue and state, nothing left waiting.
    for (const queue of ["verify", "staff", "notify"]) {
      for (const state of ["waiting", "active", "delayed", "failed"]) expect(matching(w.get("shiren_queue_jobs"), { queue, state }), `${queue} ${state}`).toHaveLength(1);
      expect(value(w, "shiren_queue_oldest_waiting_seconds", { queue })).toBe(0);
    }
    expect(value(w, "shiren_queue_jobs", { queue: "verify", state: "waiting" })).toBe(0);

    // The staff process serves its own registry.
    const staff = await scrape(h.staff!.metrics.url);
    expect(matching(staff.get("shiren_process_cpu_user_seconds_total"), { component: "staff" })).toHaveLength(1);
    expect(matching(staff.get("shiren_queue_jobs"), { component: "staff", queue: "notify" })).toHaveLength(4);
  }, 120_000);

  it("reports queue depth by state and the age of the oldest waiting job", async () => {
    const connection = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = `tm${randomBytes(4).toString("hex")}`;
    const queue = new Queue("probe", { connection, prefix });
    try {
      const registry = createRegistry("staff");
      watchQueues(registry, [queue], silent);
      await queue.add("a", { n: 1 }, { timestamp: Date.now() - 90_000 });
      await queue.add("b", { n: 2 });
      await queue.add("c", { n: 3 }, { delay: 60_000 });
      const m = parseMetrics(await registry.metrics());
      expect(value(m, "shiren_queue_jobs", { queue: "probe", state: "waiting" })).toBe(2);
      expect(value(m, "shiren_queue_jobs", { queue: "probe", state: "delayed" })).toBe(1);
      expect(value(m, "shiren_queue_jobs", { queue: "probe", state: "active" })).toBe(0);
      const age = value(m, "shiren_queue_oldest_waiting_seconds", { queue: "probe" });
      expect(age).toBeGreaterThanOrEqual(90);
      expect(age).toBeLessThan(120);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});

describe("metrics ports", () => {
  it("refuses to start on a metrics port already in use, naming the port", async () => {
    const { port, server } = await occupiedPort();
    try {
      const config: Config = { ...h.config, METRICS_PORT: port };
      const named = (who: string) => `metrics port ${port} (127.0.0.1:${port}, ${who}) is already in use: set METRICS_PORT to a free port`;
      await expect(startBot(config, silent, { dbSchema: h.schema, migrate: false, workers: false })).rejects.toThrow(named("the bot's"));
      await expect(startStaffWorkers(config, silent, { dbSchema: h.schema })).rejects.toThrow(named("the staff process's"));
      await expect(startWorkers(config, silent, { dbSchema: h.schema })).rejects.toThrow(named("a verification worker's"));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("gives the staff process +1 and the verification workers +2, +3, ... (0 stays 0)", () => {
    expect(metricsPortOf(9460, 0)).toBe(9460);
    expect(metricsPortOf(9460, 1)).toBe(9461);
    expect(metricsPortOf(9460, 2 + 1)).toBe(9463);
    expect(metricsPortOf(0, 3)).toBe(0);
    expect(() => metricsPortOf(65535, 1)).toThrow(/METRICS_PORT/);
  });
});
