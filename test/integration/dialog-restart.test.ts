import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Update } from "grammy/types";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBot } from "../../bot/create-bot";
import { parseConfig } from "../../core/config";
import { createDb } from "../../core/db/client";
import { startStandIn, type StandIn } from "../../sandbox/stand-in/server";
import { answer, currentCase, driveTo, expectNext, expectPrompt, finish, NAME, startDialog, VALID_CN_ID } from "../support/dialog-steps";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../support/env";
import { startHarness, t, type Harness } from "../support/harness";
import { SellerSim } from "../support/seller-sim";
import { StandInClient } from "../support/stand-in-client";

/** A dialog survives a bot restart, even a SIGKILL, and a redelivered update is handled once. */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let h: Harness;
let nextUser = 7_400_000;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

/** Waits until the bot marked `updateId` as handled (the dedupe key is written after the handler finished). */
async function waitHandled(redis: Redis, prefix: string, updateId: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await redis.keys(`${prefix}:upd:*:${updateId}`)).length === 0) {
    if (Date.now() > deadline) throw new Error(`update ${updateId} was not marked handled within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves when `cond()` holds, polling every 20 ms. */
async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Injected faults the stand-in has not used yet. */
async function pendingFaults(standInUrl: string): Promise<number> {
  const res = await fetch(`${standInUrl}/sandbox/faults`);
  return ((await res.json()) as { faults: unknown[] }).faults.length;
}

describe("in-process restart", () => {
  it("resumes at the ID-number step after a restart and completes", async () => {
    const d = await driveTo(await startDialog(h, nextUser++), "id");
    // Between updates: the answer that led here has been handled completely.
    await until(() => h.bot.runner.size() === 0, "no update in flight");
    const before = h.bot;
    await h.restartBot();
    expect(h.bot).not.toBe(before);
    await finish(d);
    expect((await currentCase(d)).status).toBe("queued");
  });

  it("keeps the live buttons of a choice across a restart", async () => {
    const d = await driveTo(await startDialog(h, nextUser++), "region");
    await until(() => h.bot.runner.size() === 0, "no update in flight");
    await h.restartBot();
    // The region message sent before the restart is still the live prompt.
    await answer(d);
    expect(d.step).toBe("name");
    await answer(d);
    expect(d.step).toBe("id");
  });

  it("a restart while an answer is being handled neither apologises nor loses the answer", async () => {
    const d = await driveTo(await startDialog(h, nextUser++), "name");
    // Telegram answers the next prompt with 429: the handler waits 1 s (auto-retry) while the bot stops.
    await h.client.injectFault({ method: "sendMessage", error_code: 429, retry_after: 1, chat_id: d.user });
    await d.s.text(NAME);
    await until(async () => (await pendingFaults(h.standIn.url)) === 0, "the 429 to be served");
    expect(h.bot.runner.size()).toBe(1);
    await h.restartBot();
    await expectPrompt(d, "id");
    await answer(d);
    expect(d.step).toBe("phone");
    await d.s.expectSilence(300);
  });
});

describe("redelivered updates", () => {
  const privateMessage = (updateId: number, user: number, messageId: number, text: string): Update => ({
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user, type: "private", first_name: `User${user}` },
      from: { id: user, is_bot: false, first_name: `User${user}`, language_code: "en" },
      text,
      ...(text.startsWith("/") ? { entities: [{ type: "bot_command" as const, offset: 0, length: text.split(" ")[0]!.length }] } : {}),
    },
  });

  it("answers /status once when the same update is handled twice", async () => {
    const { bot } = createBot(h.bot.deps, { log: h.bot.deps.log });
    await bot.init();
    const user = nextUser++;
    const s = h.seller(user, { language_code: "en" });
    // Opens the private chat in the stand-in (the running bot answers it).
    await s.text("hello");
    await expectNext(s, en("fallback-hint"));

    const update = privateMessage(1_500_000_000 + (user % 1_000_000), user, 1, "/status");
    await bot.handleUpdate(update);
    await bot.handleUpdate(structuredClone(update));
    await expectNext(s, en("status-none"));
    await s.expectSilence(500);
  });

  it("does not take a dialog answer twice when Telegram delivers it again", async () => {
    const d = await driveTo(await startDialog(h, nextUser++), "name");
    const sent = await h.client.send(d.user, { text: NAME, from: d.s.from });
    await expectPrompt(d, "id");
    await waitHandled(h.bot.deps.redis, h.config.REDIS_PREFIX, sent.update_id);

    const { bot } = createBot(h.bot.deps, { log: h.bot.deps.log });
    await bot.init();
    // Read as an ID number, the name would be answered with a validation error.
    await bot.handleUpdate(privateMessage(sent.update_id, d.user, sent.message_id, NAME));
    await d.s.expectSilence(500);
    await answer(d);
    expect(d.step).toBe("phone");
  });
});

describe("SIGKILL of the bot process", () => {
  let standIn: StandIn;
  let client: StandInClient;
  let dataDir: string;
  let redis: Redis;
  let bot: ChildProcess | undefined;
  const children: ChildProcess[] = [];
  const prefix = `tk${randomBytes(4).toString("hex")}`;
  // main.ts migrates and uses the public schema of the test database, shared across runs: random users, deleted afterwards.
  const firstUser = 900_000_000 + randomInt(99_000_000);
  const users = [firstUser, firstUser + 1];
  const output: string[] = [];

  beforeAll(async () => {
    standIn = await startStandIn({ port: 0 });
    client = new StandInClient(standIn.url);
    dataDir = mkdtempSync(join(tmpdir(), "shiren-kill-"));
    redis = new Redis(TEST_REDIS_URL);
  });

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    const db = createDb(TEST_DATABASE_URL);
    await db.seller.deleteMany({ where: { telegramUserId: { in: users.map(BigInt) } } });
    await db.$disconnect();
    await standIn?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "test",
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: prefix,
    DATA_DIR: dataDir,
    OPEN_ENROLMENT: "true",
    TELEGRAM_API_ROOT: standIn.url,
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_SECOND: "1000",
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1000",
    // the dialog is under test here, not the checks: no worker processes beside the bot
    WORKER_PROCESSES: "0",
    METRICS_PORT: "0",
  });
  const retentionDays = () => parseConfig(env()).RETENTION_DAYS;

  /** A new bot process; updates sent before it polls wait in the stand-in. */
  function spawnBot(): ChildProcess {
    // One process (tsx as a loader), so the signal reaches the bot itself, not a wrapper.
    const child = spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], { cwd: ROOT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (b: Buffer) => output.push(b.toString()));
    child.stderr?.on("data", (b: Buffer) => output.push(b.toString()));
    children.push(child);
    bot = child;
    return child;
  }

  async function sigkill(c: ChildProcess): Promise<void> {
    const exited = new Promise<NodeJS.Signals | null>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) resolve(c.signalCode);
      else c.once("exit", (_code, signal) => resolve(signal));
    });
    c.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");
  }

  const withOutput = async (fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- bot output ---\n${output.join("").slice(-4000)}`);
    }
  };

  /** /start (open enrolment) through the region choice; returns the update id of the region press. */
  async function toNameStep(s: SellerSim): Promise<number> {
    await s.text("/start");
    await expectNext(s, en("start-welcome"), 40_000);
    const consent = await expectNext(s, en("verify-consent", { retentionDays: retentionDays() }));
    await s.press("consent:yes", consent.message_id);
    const face = await expectNext(s, en("verify-consent-face", { retentionDays: retentionDays() }));
    await s.press("face:yes", face.message_id);
    const region = await expectNext(s, en("verify-ask-region"));
    const sent = await client.press(s.userId, region.message_id, "region:cn", { from: s.from });
    await expectNext(s, en("verify-ask-name", { region: en("identity-region-cn") }));
    return sent.update_id;
  }

  it("continues the dialog at the ID step in a new process after the old one was killed at the name step", () =>
    withOutput(async () => {
      const s = new SellerSim(client, users[0]!, { language_code: "en" });
      const first = spawnBot();
      const regionUpdate = await toNameStep(s);
      await waitHandled(redis, prefix, regionUpdate);

      await sigkill(first);
      spawnBot();
      await s.text(NAME);
      // The very next message: no prompt repeated, no step lost.
      await expectNext(s, en("verify-ask-id-cn"), 40_000);
      await s.text(VALID_CN_ID);
      await expectNext(s, en("verify-ask-phone"));
    }), 90_000);

  it("does not lose an answer whose handling was cut short by SIGKILL", () =>
    withOutput(async () => {
      const s = new SellerSim(client, users[1]!, { language_code: "en" });
      const running = bot && bot.exitCode === null && bot.signalCode === null ? bot : spawnBot();
      await toNameStep(s);
      // The ID prompt is answered with 429: the handler of the name sits in auto-retry when the process dies.
      await client.injectFault({ method: "sendMessage", error_code: 429, retry_after: 5, chat_id: s.userId });
      await s.text(NAME);
      await until(async () => (await pendingFaults(standIn.url)) === 0, "the 429 to be served");
      const pending = (await client.botInfo()).pending_updates;

      await sigkill(running);
      spawnBot();
      // Telegram redelivers what was not confirmed; the dedupe key was never written, so the name is handled now.
      // /status afterwards shows the new process is up: the ID prompt must come first.
      await s.text("/status");
      const m = await s.next(40_000);
      expect(m.text, `unconfirmed updates in the stand-in when the process was killed: ${pending}`).toBe(en("verify-ask-id-cn"));
    }), 90_000);
});
