import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig, type Config } from "../../core/config";
import { createWebhookQueue, enqueueWebhookJob, webhookJobId, type WebhookJob } from "../../core/jobs";
import { createLogger } from "../../core/logger";
import { DEFAULT_WEBHOOK_OPTIONS, enqueueSellerWebhooks, enqueueWebhook, sweepWebhooks, webhookBackoffMs, type WebhookDeps } from "../../core/webhooks/delivery";
import { emitSellerEvent, type SellerEvent } from "../../core/webhooks/outbox";
import { signWebhook, verifyWebhook } from "../../core/webhooks/signature";
import { deliverWebhook } from "../../workers/jobs/deliver-webhook";
import { startStaffWorkers, type RunningStaffWorkers } from "../../workers/staff-main";
import { isolatedDb } from "../support/db";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../support/env";

/**
 * Seller status webhooks end to end: outbox rows in a real PostgreSQL schema, the staff
 * process's webhook worker on real Redis, and a marketplace receiver on a local port that
 * verifies every signature and dedupes on the event id, as the README tells receivers to.
 * Timeout and backoff are shortened (the defaults are 10 s and 30 s, doubling).
 */

const SECRET = "whsec_0123456789abcdef";
const TIMEOUT_MS = 1_500;
const TIMEOUT_WORDS = "1.5 s";
const BACKOFF_MS = 200;
const BACKOFF_MAX_MS = 800;

// ---------------------------------------------------------------- the marketplace's receiver

type Answer = number | "hang";
interface Hit {
  at: number;
  method: string;
  path: string;
  eventId: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  /** what the receiver's own check said */
  verified: boolean;
  /** already seen: the receiver dropped it */
  duplicate: boolean;
  answer: Answer;
}

async function startReceiver() {
  const hits: Hit[] = [];
  /** answers per event id, in order; 200 once they run out */
  const plans = new Map<string, Answer[]>();
  /** the receiver's dedupe: event ids it has acted on */
  const processed = new Set<string>();
  const hanging: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const eventId = String(req.headers["x-shiren-event-id"] ?? "");
      const verified = verifyWebhook(SECRET, req.headers["x-shiren-signature"] as string | undefined, raw).valid;
      // A receiver acts on an event once, before it answers: its answer may be lost on the way back.
      const duplicate = processed.has(eventId);
      if (verified) processed.add(eventId);
      const answer = plans.get(eventId)?.shift() ?? 200;
      hits.push({ at: Date.now(), method: req.method ?? "", path: req.url ?? "", eventId, headers: req.headers, raw, verified, duplicate, answer });
      if (answer === "hang") {
        hanging.push(res);
        return;
      }
      res.writeHead(answer, { "content-type": "text/plain" }).end(answer < 300 ? "ok" : "receiver broke");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/shiren`,
    hits,
    plans,
    processed,
    of: (eventId: string) => hits.filter((h) => h.eventId === eventId),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------- the system under test

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dbx: Awaited<ReturnType<typeof isolatedDb>>;
let config: Config;
let staff: RunningStaffWorkers;
let redis: Redis;
let queue: Queue<WebhookJob>;
let deps: WebhookDeps;
let dataDir: string;
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  receiver = await startReceiver();
  dbx = await isolatedDb();
  dataDir = mkdtempSync(join(tmpdir(), "shiren-webhooks-"));
  config = parseConfig({
    NODE_ENV: "test",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: `t${randomBytes(4).toString("hex")}`,
    DATA_DIR: dataDir,
    METRICS_PORT: "0",
    MARKETPLACE_WEBHOOK_URL: receiver.url,
    MARKETPLACE_WEBHOOK_SECRET: SECRET,
  });
  const log = createLogger({ level: "info", name: "test-webhooks", destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) } });
  staff = await startStaffWorkers(config, log, {
    dbSchema: dbx.schema,
    apiRoot: "http://127.0.0.1:9",
    sweepEveryMs: 3_600_000,
    webhook: { timeoutMs: TIMEOUT_MS, backoffBaseMs: BACKOFF_MS, backoffMaxMs: BACKOFF_MAX_MS, waitPollMs: 100 },
  });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  queue = createWebhookQueue(redis, config.REDIS_PREFIX);
  deps = { db: dbx.db, config, log, now: () => new Date(), webhookQueue: queue };
}, 60_000);

afterAll(async () => {
  await staff?.close();
  await queue?.close();
  if (redis) {
    const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
  await dbx?.drop();
  await receiver?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let shopNo = 2000;
async function newSeller() {
  return dbx.db.seller.create({ data: { shopId: `S${shopNo++}`, shopName: "Tea House 茶馆", reservedPhoneMask: "+86 138****8000" } });
}

/** A status change's outbox row, written in a transaction as the product does; returns the event id. */
async function emit(e: SellerEvent, d: Pick<WebhookDeps, "config"> = deps): Promise<string | null> {
  await dbx.db.$transaction((tx) => emitSellerEvent(d, tx, e));
  const row = await dbx.db.webhookEvent.findFirst({ where: { sellerId: e.sellerId, createdAt: e.at }, orderBy: { id: "desc" } });
  return row?.id ?? null;
}

const delivered = (id: string) => until(`event ${id} delivered`, () => dbx.db.webhookEvent.findFirst({ where: { id, deliveredAt: { not: null } } }));
const failureLogs = (eventId: string) => logs.filter((l) => l.msg === "job failed" && String(l.jobId).startsWith(`webhook-${eventId}-`)).map((l) => String(l.err));
const settle = (ms = 600) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- tests

describe("backoff", () => {
  it("waits 30 s after the first failure, doubling to at most an hour (defaults)", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((n) => webhookBackoffMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });
});

describe("marketplace webhooks", () => {
  let first: { eventId: string; sellerId: string; hit: Hit };

  it("POSTs a signed event the receiver verifies; the body holds ids and codes only", async () => {
    const seller = await newSeller();
    const caseId = randomUUID();
    const at = new Date(Date.now() - 1_000);
    const eventId = (await emit({ sellerId: seller.id, type: "seller.failed", caseId, reasons: ["face-mismatch", "Zhang San 110105"], at }))!;
    await enqueueWebhook(deps, eventId);
    await delivered(eventId);

    const [hit, ...more] = receiver.of(eventId);
    expect(more).toHaveLength(0);
    expect(hit!.method).toBe("POST");
    expect(hit!.path).toBe("/hooks/shiren");
    expect(hit!.headers["content-type"]).toBe("application/json");
    expect(hit!.headers["user-agent"]).toBe("shiren-webhook/1");
    expect(hit!.headers["x-shiren-event-type"]).toBe("seller.failed");
    const signature = String(hit!.headers["x-shiren-signature"]);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, signature, hit!.raw)).toEqual({ valid: true });
    expect(verifyWebhook("some-other-secret-000", signature, hit!.raw)).toEqual({ valid: false, reason: "signature-mismatch" });
    expect(Math.abs(Number(/^t=(\d+)/.exec(signature)![1]) - Date.now() / 1000)).toBeLessThan(30);
    expect(JSON.parse(hit!.raw.toString("utf8"))).toStrictEqual({
      id: eventId,
      type: "seller.failed",
      created_at: at.toISOString(),
      seller: { id: seller.id, shop_id: seller.shopId },
      case_id: caseId,
      reasons: ["face-mismatch"],
    });
    // The masked phone as a whole: a bare "138" also turns up inside random UUIDs (it failed CI once).
    for (const pii of ["Tea House", "茶馆", "+86", "138****8000", "Zhang"]) expect(hit!.raw.toString("utf8")).not.toContain(pii);

    const row = await dbx.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect(row).toMatchObject({ attempts: 1, lastError: null });
    first = { eventId, sellerId: seller.id, hit: hit! };
  });

  it("retries a receiver answering 500 with growing backoff, then delivers once", async () => {
    const seller = await newSeller();
    const eventId = (await emit({ sellerId: seller.id, type: "seller.verified", caseId: randomUUID(), at: new Date(Date.now() - 1_000) }))!;
    receiver.plans.set(eventId, [500, 500, 500, 200]);
    await enqueueSellerWebhooks(deps, seller.id);
    await delivered(eventId);
    await settle();

    const hits = receiver.of(eventId);
    expect(hits.map((h) => h.answer)).toEqual([500, 500, 500, 200]);
    expect(hits.every((h) => h.verified && h.headers["x-shiren-event-id"] === eventId)).toBe(true);
    // 200 ms, 400 ms, then the 800 ms cap; each wait counts from the failed answer.
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i]!.at);
    [200, 400, 800].forEach((min, i) => expect(gaps[i], `gap ${i + 1}: ${gaps.join(", ")}`).toBeGreaterThanOrEqual(min - 20));
    expect(gaps[2]!).toBeLessThan(800 + 1_500);

    const row = await dbx.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect(row).toMatchObject({ attempts: 4, lastError: "HTTP 500" });
    expect(row.deliveredAt).not.toBeNull();
    // Each failure is reported, with what went wrong and when the next attempt comes.
    expect(failureLogs(eventId)).toEqual([
      `webhook ${eventId} (seller.verified) attempt 1 failed: HTTP 500; next attempt in 200 ms`,
      `webhook ${eventId} (seller.verified) attempt 2 failed: HTTP 500; next attempt in 400 ms`,
      `webhook ${eventId} (seller.verified) attempt 3 failed: HTTP 500; next attempt in 800 ms`,
    ]);
  });

  it("cuts off a receiver that hangs and tries again; the receiver dedupes the repeat on the event id", async () => {
    const seller = await newSeller();
    const eventId = (await emit({ sellerId: seller.id, type: "seller.restricted", at: new Date(Date.now() - 1_000) }))!;
    // The receiver takes the event, then never answers: the sender cannot know it arrived.
    receiver.plans.set(eventId, ["hang", 200]);
    const started = Date.now();
    await enqueueWebhook(deps, eventId);
    await delivered(eventId);

    const hits = receiver.of(eventId);
    expect(hits).toHaveLength(2);
    expect(hits.map((h) => h.headers["x-shiren-event-id"])).toEqual([eventId, eventId]);
    expect(hits.map((h) => h.duplicate)).toEqual([false, true]);
    expect(receiver.processed.has(eventId)).toBe(true);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(TIMEOUT_MS + BACKOFF_MS - 20);
    expect(Date.now() - started).toBeLessThan(10_000);
    const row = await dbx.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } });
    expect(row).toMatchObject({ attempts: 2, lastError: `no answer within ${TIMEOUT_WORDS}` });
    expect(failureLogs(eventId)).toEqual([`webhook ${eventId} (seller.restricted) attempt 1 failed: no answer within ${TIMEOUT_WORDS}; next attempt in 200 ms`]);
  });

  it("reports a receiver that cannot be reached at all", async () => {
    const seller = await newSeller();
    // Written a day and an hour ago, and failing since.
    const eventId = (await emit({ sellerId: seller.id, type: "seller.review", at: new Date(Date.now() - 25 * 3_600_000) }))!;
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x`;
    await new Promise<void>((r) => closed.close(() => r()));
    const offline: WebhookDeps = { ...deps, config: { ...config, MARKETPLACE_WEBHOOK_URL: url } };
    const job = { data: { eventId, attempt: 0 }, moveToDelayed: () => Promise.resolve() };
    try {
      await expect(deliverWebhook(offline, job, "token", { ...DEFAULT_WEBHOOK_OPTIONS, timeoutMs: TIMEOUT_MS })).rejects.toThrow(
        `webhook ${eventId} (seller.review) attempt 1 failed: ECONNREFUSED; next attempt in 30 s`,
      );
      const row = await dbx.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } });
      expect(row).toMatchObject({ attempts: 1, lastError: "ECONNREFUSED", deliveredAt: null });
      expect(row.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 25_000);
      // Failing for over a day is logged as an error at every attempt (younger failures only as the job's warning).
      expect(logs.filter((l) => l.level === 50 && l.msg === "marketplace webhook still undelivered").map((l) => [l.eventId, l.failingHours, l.lastError])).toEqual([
        [eventId, 25, "ECONNREFUSED"],
      ]);
      // The next attempt waits its turn: nothing is due yet, so the sweep starts nothing for it.
      expect(await sweepWebhooks(deps)).toBe(0);
      expect(await (await queue.getJob(webhookJobId(eventId, 1)))?.getState()).toBe("delayed");
    } finally {
      await queue.remove(webhookJobId(eventId, 1));
      await dbx.db.webhookEvent.delete({ where: { id: eventId } });
    }
  });

  it("never sends a delivered event again, whatever is enqueued", async () => {
    const { eventId, sellerId } = first;
    await enqueueWebhook(deps, eventId);
    await enqueueSellerWebhooks(deps, sellerId);
    expect(await sweepWebhooks(deps)).toBe(0);
    for (const attempt of [0, 1, 5]) await enqueueWebhookJob(queue, { eventId, attempt });
    for (const attempt of [1, 5]) {
      const job = await until(`job attempt ${attempt}`, async () => {
        const j = await queue.getJob(webhookJobId(eventId, attempt));
        return j && (await j.getState()) === "completed" ? j : null;
      });
      expect(job.returnvalue).toBe("already delivered");
    }
    await settle(300);
    expect(receiver.of(eventId)).toHaveLength(1);
  });

  it("adds each due attempt's job once when two sweeps run at once, and starts only a seller's oldest event", async () => {
    await staff.webhook.pause();
    try {
      const sellers = await Promise.all([newSeller(), newSeller(), newSeller()]);
      const base = Date.now() - 5_000;
      const ids: string[] = [];
      for (const [i, s] of sellers.entries()) ids.push((await emit({ sellerId: s.id, type: "seller.recheck_due", at: new Date(base + i) }))!);
      const newer = (await emit({ sellerId: sellers[0]!.id, type: "seller.restricted", at: new Date(base + 100) }))!;

      const [a, b] = await Promise.all([sweepWebhooks(deps), sweepWebhooks(deps)]);
      expect(a + b).toBeGreaterThanOrEqual(3);
      const waiting = (await queue.getJobs(["waiting", "prioritized", "delayed"])).map((j) => j.id).sort();
      expect(waiting).toEqual(ids.map((id) => webhookJobId(id, 0)).sort());
      expect(await sweepWebhooks(deps)).toBe(0);

      await staff.webhook.resume();
      for (const id of [...ids, newer]) await delivered(id);
      await settle(300);
      for (const id of [...ids, newer]) expect(receiver.of(id), id).toHaveLength(1);
      expect(receiver.of(newer)[0]!.at).toBeGreaterThanOrEqual(receiver.of(ids[0]!)[0]!.at);
    } finally {
      await staff.webhook.resume(); // a no-op when already running
    }
  });

  it("sends a seller's events oldest first: a newer one waits while an older one fails; other sellers are not held up", async () => {
    const [a, b] = [await newSeller(), await newSeller()];
    const t0 = Date.now() - 5_000;
    const e1 = (await emit({ sellerId: a.id, type: "seller.recheck_due", at: new Date(t0) }))!;
    const e2 = (await emit({ sellerId: a.id, type: "seller.restricted", at: new Date(t0 + 1) }))!;
    const e3 = (await emit({ sellerId: a.id, type: "seller.verified", at: new Date(t0 + 2) }))!;
    const f1 = (await emit({ sellerId: b.id, type: "seller.verified", at: new Date(t0) }))!;
    receiver.plans.set(e1, [500, 500, 200]);
    // Newest first, each under its own job: the worker must hold the newer ones back itself.
    for (const id of [e3, e2, e1]) await enqueueWebhookJob(queue, { eventId: id, attempt: 0 });
    await enqueueWebhook(deps, f1);
    for (const id of [e1, e2, e3, f1]) await delivered(id);
    await settle(300);

    const ofA = receiver.hits.filter((h) => [e1, e2, e3].includes(h.eventId));
    expect(ofA.map((h) => [h.eventId, h.answer])).toEqual([
      [e1, 500],
      [e1, 500],
      [e1, 200],
      [e2, 200],
      [e3, 200],
    ]);
    expect(receiver.of(f1)).toHaveLength(1);
    expect(receiver.of(f1)[0]!.at).toBeLessThan(ofA[2]!.at);
    const rows = await dbx.db.webhookEvent.findMany({ where: { id: { in: [e1, e2, e3] } }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.attempts)).toEqual([3, 1, 1]);
    expect(rows[1]!.deliveredAt!.getTime()).toBeGreaterThanOrEqual(rows[0]!.deliveredAt!.getTime());
    expect(rows[2]!.deliveredAt!.getTime()).toBeGreaterThanOrEqual(rows[1]!.deliveredAt!.getTime());
  });

  it("without MARKETPLACE_WEBHOOK_URL writes, enqueues and sends nothing, and the staff process runs", async () => {
    const offConfig = parseConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: `t${randomBytes(4).toString("hex")}`,
      DATA_DIR: dataDir,
      METRICS_PORT: "0",
    });
    const off: WebhookDeps = { ...deps, config: offConfig };
    const seller = await newSeller();
    const before = receiver.hits.length;
    expect(await emit({ sellerId: seller.id, type: "seller.verified", at: new Date() }, off)).toBeNull();
    expect(await dbx.db.webhookEvent.count({ where: { sellerId: seller.id } })).toBe(0);

    // A row left from when a URL was configured: still nothing goes out.
    const left = await dbx.db.webhookEvent.create({ data: { sellerId: seller.id, type: "seller.verified", payload: { case_id: null, reasons: [] }, nextAttemptAt: new Date(0) } });
    expect(await sweepWebhooks(off)).toBe(0);
    await enqueueWebhook(off, left.id);
    await enqueueSellerWebhooks(off, seller.id);
    expect(await queue.getJob(webhookJobId(left.id, 0))).toBeUndefined();
    const job = { data: { eventId: left.id, attempt: 0 }, moveToDelayed: () => Promise.resolve() };
    expect(await deliverWebhook(off, job, undefined)).toMatch(/webhooks off/);

    const offStaff = await startStaffWorkers(offConfig, createLogger({ level: "silent" }), { dbSchema: dbx.schema, apiRoot: "http://127.0.0.1:9", sweepEveryMs: 3_600_000 });
    await offStaff.close();
    expect(receiver.hits.length).toBe(before);
    await dbx.db.webhookEvent.delete({ where: { id: left.id } });
  });
});

// ---------------------------------------------------------------- the CLI

const root = fileURLToPath(new URL("../../", import.meta.url));
const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

type Run = { code: number | null; stdout: string; stderr: string };
function run(cmd: string, args: string[], stdin: string | Buffer, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, MARKETPLACE_WEBHOOK_SECRET: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
const verifyCli = (args: string[], stdin: string | Buffer, env?: Record<string, string>) => run(tsx, ["core/webhooks/verify-cli.ts", ...args], stdin, env);

describe("webhook:verify CLI", () => {
  const body = '{"id":"3f1c","type":"seller.verified"}';
  const now = Math.floor(Date.now() / 1000);

  it("checks a request the worker really sent", async () => {
    const h = receiver.hits.find((x) => x.answer === 200 && x.verified);
    expect(h).toBeDefined();
    const r = await verifyCli(["--secret", SECRET, "--signature", String(h!.headers["x-shiren-signature"]), "--tolerance", "3600"], h!.raw);
    expect(r).toEqual({ code: 0, stdout: '{"valid":true}\n', stderr: "" });
  });

  it("says valid, tampered, expired and malformed in one JSON line, exit 0 or 1", async () => {
    const sig = signWebhook(SECRET, now, body);
    expect(await verifyCli(["--secret", SECRET, "--signature", sig], body)).toEqual({ code: 0, stdout: '{"valid":true}\n', stderr: "" });
    expect(await verifyCli(["--secret", SECRET, "--signature", sig], body.replace("verified", "restricted"))).toEqual({
      code: 1,
      stdout: '{"valid":false,"reason":"signature-mismatch"}\n',
      stderr: "",
    });
    expect(await verifyCli(["--secret", SECRET, "--signature", sig], body + "\n")).toMatchObject({ code: 1, stdout: '{"valid":false,"reason":"signature-mismatch"}\n' });
    const old = signWebhook(SECRET, now - 3_600, body);
    expect(await verifyCli(["--secret", SECRET, "--signature", old], body)).toEqual({ code: 1, stdout: '{"valid":false,"reason":"timestamp-outside-tolerance"}\n', stderr: "" });
    expect(await verifyCli(["--secret", SECRET, "--signature", old, "--now", String(now - 3_500)], body)).toMatchObject({ code: 0, stdout: '{"valid":true}\n' });
    expect(await verifyCli(["--secret", SECRET, "--signature", old, "--tolerance", "4000"], body)).toMatchObject({ code: 0, stdout: '{"valid":true}\n' });
    expect(await verifyCli(["--secret", SECRET, "--signature", "v1=abc"], body)).toEqual({ code: 1, stdout: '{"valid":false,"reason":"malformed-header"}\n', stderr: "" });
    expect(await verifyCli(["--signature", sig], body, { MARKETPLACE_WEBHOOK_SECRET: SECRET })).toMatchObject({ code: 0, stdout: '{"valid":true}\n' });
  });

  it("exits 2 with the usage on bad arguments", async () => {
    const sig = signWebhook(SECRET, now, body);
    for (const args of [["--signature", sig], ["--secret", SECRET], ["--secret", SECRET, "--signature", sig, "--tolerance", "5m"], ["--secret", SECRET, "--signature", sig, "--nope"]]) {
      const r = await verifyCli(args, body);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/usage: webhook:verify/);
    }
  });

  it("runs as npm run --silent webhook:verify", async () => {
    const sig = signWebhook(SECRET, now, body);
    const r = await run("npm", ["run", "--silent", "webhook:verify", "--", "--secret", SECRET, "--signature", sig], body);
    expect(r).toMatchObject({ code: 0, stdout: '{"valid":true}\n' });
  });
});
