import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger";
import { startWorkers, type RunningWorkers } from "../../workers/main";
import { fixture } from "../support/fixtures";
import { openEnrolmentToChallenge } from "../support/dialog-steps";
import { startHarness, t, type Harness } from "../support/harness";
import type { SellerSim } from "../support/seller-sim";

/**
 * Redis goes away under a running bot and worker, then comes back: both reconnect
 * and the next selfie is checked and answered. Uses a Redis server of its own (with
 * an append-only file, so a restart keeps the queue), not the shared one.
 */

const PORT = 16_400 + Math.floor(Math.random() * 500);
const dir = mkdtempSync(join(tmpdir(), "shiren-redis-"));
let redis: ChildProcess | null = null;
let h: Harness;
let workers: RunningWorkers;
let nextUser = 7_500_000;

async function startRedis(): Promise<void> {
  redis = spawn("redis-server", ["--port", String(PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", dir], { stdio: "ignore" });
  const probe = new Redis(PORT, "127.0.0.1", { lazyConnect: true, retryStrategy: () => 100, maxRetriesPerRequest: null });
  await probe.connect().catch(() => undefined);
  await probe.ping();
  probe.disconnect();
}

async function stopRedis(): Promise<void> {
  const r = redis;
  redis = null;
  if (!r) return;
  await new Promise((resolve) => {
    r.once("exit", resolve);
    r.kill("SIGKILL");
  });
}

beforeAll(async () => {
  await startRedis();
  h = await startHarness({ OPEN_ENROLMENT: "true", REDIS_URL: `redis://127.0.0.1:${PORT}/0` });
  workers = await startWorkers(h.config, createLogger({ level: "silent" }), { dbSchema: h.schema, apiRoot: h.standIn.url });
}, 120_000);
afterAll(async () => {
  await workers?.close();
  await h?.close();
  await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

async function verifyOnce(s: SellerSim): Promise<string | undefined> {
  await openEnrolmentToChallenge(h, s, readFileSync(fixture("handsdataset_5_pic00050.jpg")).toString("base64"));
  await s.send({ photo: readFileSync(fixture("handsdataset_996_pic00124.jpg")).toString("base64") });
  await s.expect(t("en", "verify-checking"));
  return (await s.next(60_000)).text;
}

describe("Redis outage", () => {
  it("bot and worker reconnect after Redis was down, and the next check is answered", async () => {
    expect(await verifyOnce(h.seller(nextUser++, { language_code: "en" }))).toMatch(/^(✅|❌|🔎)/);

    await stopRedis();
    // A seller writing during the outage is told to try again in a moment (in their language), not ignored.
    const during = h.seller(nextUser++, { language_code: "zh-hans" });
    await during.text("/start");
    await during.expect(t("zh-Hans", "common-error-internal"), 15_000);
    await new Promise((r) => setTimeout(r, 8_000));
    await startRedis();
    // ioredis reconnects with a backoff of at most 5 s (core/redis.ts).
    const deadline = Date.now() + 15_000;
    while (h.bot.deps.redis.status !== "ready" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 5_500));

    // A seller who writes after the outage is served again, through the worker to the verdict.
    expect(await verifyOnce(h.seller(nextUser++, { language_code: "en" }))).toMatch(/^(✅|❌|🔎)/);
  }, 150_000);
});
