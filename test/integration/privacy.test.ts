import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseCallback } from "../../core/staff/callbacks";
import { retentionPlan } from "../../core/privacy/retention";
import { startStandIn, type StandIn } from "../../sandbox/stand-in/server";
import {
  answer,
  currentCase,
  DOC_PHOTO,
  driveTo,
  expectNext,
  expectPrompt,
  NAME,
  openEnrolmentToChallenge,
  RESERVED_PHONE,
  SELFIE_PHOTO,
  startDialog,
  STEPS,
  VALID_CN_ID,
} from "../support/dialog-steps";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "../support/env";
import { fixture } from "../support/fixtures";
import { startHarness, t, type Harness } from "../support/harness";
import { pgDump, scanRedis, scanText } from "../support/plaintext-scan";
import { SellerSim } from "../support/seller-sim";
import { StandInClient } from "../support/stand-in-client";
import { bodyOf } from "../support/staff-sim";

/**
 * The promises made to sellers, each checked where it could break: no identity value
 * in the clear in Redis, logs or the database; deletion on request and on schedule;
 * no real token on the development key; a daily limit on selfies.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STAFF_CHAT = -1001000003;
const ADMIN = 9003;
const en = (key: string, args?: Record<string, string | number>) => t("en", key, args);
/** What a seller types or shares in the dialog (dialog-steps.ts), in every form the scan looks for. */
const SECRETS = [NAME, VALID_CN_ID, RESERVED_PHONE, RESERVED_PHONE.slice(3)];

let h: Harness;
const logs: string[] = [];
let nextUser = 7_600_000;

beforeAll(async () => {
  h = await startHarness(
    {
      LOG_LEVEL: "debug",
      OPEN_ENROLMENT: "true",
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ADMIN_TELEGRAM_IDS: String(ADMIN),
      STAFF_GROUP_MESSAGES_PER_MINUTE: "1000",
      MAX_ATTEMPTS_PER_DAY: "3",
      JOB_ATTEMPTS: "2",
      JOB_BACKOFF_MS: "50",
    },
    { staff: true, verify: true, logTo: (line) => void logs.push(line) },
  );
}, 120_000);
afterAll(async () => {
  await h?.close();
});

/**
 * A fixture re-encoded (base64): photos are stored by content, and a file that another seller's
 * photo row still uses is kept, so a test of deletion needs photos nobody else sent.
 */
async function ownCopy(photo: string | Buffer): Promise<string> {
  const bytes = typeof photo === "string" ? readFileSync(fixture(photo)) : photo;
  return (await sharp(bytes).jpeg({ quality: 93 }).toBuffer()).toString("base64");
}

describe("no identity value in the clear outside PostgreSQL's ciphertext", () => {
  it("after every step of the dialog: Redis (the dialog's replay log is sealed), the logs, and a pg_dump", async () => {
    const d = await startDialog(h, nextUser++);
    for (const step of STEPS.slice(1)) {
      await answer(d);
      expect(d.step).toBe(step);
      const redis = await scanRedis(h.config.REDIS_PREFIX, SECRETS);
      expect(redis.keys).toBeGreaterThan(3);
      expect(redis.found, `redis at step ${step}`).toEqual([]);
      expect(scanText("logs", logs.join(""), SECRETS), `logs at step ${step}`).toEqual([]);
      expect(scanText("pg_dump", pgDump([h.schema]), SECRETS), `database at step ${step}`).toEqual([]);
    }
    // The scan is not blind: the sealed identity opens to the very values it looked for.
    const c = await currentCase(d);
    const id = await h.db.identity.findUniqueOrThrow({ where: { id: c.identityId! } });
    expect(h.bot.deps.crypto.openText(id.idNumberEnc!, `identity:${c.sellerId}`)).toBe(VALID_CN_ID);
    expect(scanText("the identity, opened", h.bot.deps.crypto.openText(id.nameEnc!, `identity:${c.sellerId}`), SECRETS)).not.toEqual([]);
    expect(logs.join("")).toContain('"msg":"bot running"');
  }, 120_000);
});

describe("SIGKILL mid-dialog", () => {
  let standIn: StandIn;
  let child: ChildProcess | undefined;
  const prefix = `t${randomBytes(4).toString("hex")}`;
  const output: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), "shiren-scan-"));
  const user = 910_000_000 + randomInt(80_000_000);

  beforeAll(async () => {
    standIn = await startStandIn({ port: 0 });
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    const r = new Redis(TEST_REDIS_URL);
    const keys = await r.keys(`${prefix}:*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    await standIn?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("leaves nothing readable in Redis or the process's log output, and the sealed dialog still resumes", async () => {
    const spawnBot = () => {
      child = spawn(process.execPath, ["--import", "tsx", "bot/main.ts"], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? "",
          NODE_ENV: "test",
          LOG_LEVEL: "debug",
          DATABASE_URL: TEST_DATABASE_URL,
          REDIS_URL: TEST_REDIS_URL,
          REDIS_PREFIX: prefix,
          DATA_DIR: dataDir,
          OPEN_ENROLMENT: "true",
          TELEGRAM_API_ROOT: standIn.url,
          RATE_LIMIT_PER_SECOND: "1000",
          TELEGRAM_CHAT_MESSAGES_PER_SECOND: "1000",
          WORKER_PROCESSES: "0",
          METRICS_PORT: "0",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (b: Buffer) => output.push(b.toString()));
      child.stderr?.on("data", (b: Buffer) => output.push(b.toString()));
      return child;
    };
    const bot = spawnBot();
    const s = new SellerSim(new StandInClient(standIn.url), user, { language_code: "en" });
    const retentionDays = h.config.RETENTION_DAYS;
    await s.text("/start");
    await s.expect(en("verify-consent", { retentionDays }), 40_000);
    await s.press("consent:yes");
    await s.expect(en("verify-consent-face", { retentionDays }));
    await s.press("face:yes");
    await s.expect(en("verify-ask-region"));
    await s.press("region:cn");
    await s.expect(en("verify-ask-name", { region: en("identity-region-cn") }));
    await s.text(NAME);
    await s.expect(en("verify-ask-id-cn"));
    await s.text(VALID_CN_ID);
    await s.expect(en("verify-ask-phone"));
    // Open enrolment has no reserved phone to match: the shared contact is taken as given.
    await s.send({ contact: { phone_number: RESERVED_PHONE.slice(1), user_id: user } });
    await s.expect(/ID number 1101\*+002X saved/);
    await s.expect(en("verify-ask-document", { region: en("identity-region-cn") }));

    bot.kill("SIGKILL");
    await new Promise((r) => bot.once("exit", r));
    const redis = await scanRedis(prefix, SECRETS);
    expect(redis.keys).toBeGreaterThan(0);
    expect(redis.found).toEqual([]);
    expect(scanText("bot output", output.join(""), SECRETS)).toEqual([]);
    expect(output.join("")).toContain('"msg":"bot running"');

    // A new process opens the sealed log and carries on at the ID photo.
    spawnBot();
    await s.send({ photo: DOC_PHOTO.toString("base64") });
    await s.expect(/^Last step/, 40_000);
    child!.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
    expect(scanText("bot output", output.join(""), SECRETS)).toEqual([]);
  }, 120_000);
});

describe("/deleteme", () => {
  it("while the check is queued: erases photos, template, identity ciphertext and dialog state; a second press does nothing", async () => {
    await h.workers!.worker.pause();
    // Photos of this seller alone: the store is content-addressed, and a file another seller's photo still uses stays.
    const d = await driveTo(await startDialog(h, nextUser++), "document");
    await d.s.send({ photo: await ownCopy(DOC_PHOTO) });
    await expectPrompt(d, "selfie");
    await d.s.send({ photo: await ownCopy(SELFIE_PHOTO) });
    await expectPrompt(d, "checking");
    const c = await currentCase(d);
    const photos = await h.db.photo.findMany({ where: { caseId: c.id } });
    expect(photos).toHaveLength(2);
    for (const p of photos) expect(await h.bot.deps.photos.exists(p.storageKey)).toBe(true);

    await d.s.text("/deleteme");
    const confirm = await d.s.next();
    expect(confirm.text).toBe(en("deleteme-confirm"));
    expect(d.s.buttons(confirm)).toEqual(["deleteme:yes", "deleteme:no"]);
    await d.s.press("deleteme:yes", confirm.message_id);
    expect((await d.s.next()).text).toBe(en("deleteme-done", { photos: 2, identities: 1 }));

    for (const p of photos) expect(await h.bot.deps.photos.exists(p.storageKey)).toBe(false);
    expect((await h.db.photo.findMany({ where: { caseId: c.id } })).every((p) => p.purgedAt && !p.embeddingEnc && !p.phash)).toBe(true);
    const id = await h.db.identity.findUniqueOrThrow({ where: { id: c.identityId! } });
    expect([id.nameEnc, id.idNumberEnc, id.phoneEnc, id.purgedAt !== null]).toEqual([null, null, null, true]);
    expect(id.idNumberMask).toBe("1101**********002X");
    const seller = await h.db.seller.findUniqueOrThrow({ where: { id: c.sellerId } });
    expect([seller.status, seller.faceEmbeddingEnc, seller.erasedAt !== null]).toEqual(["unverified", null, true]);
    expect((await h.db.verificationCase.findUniqueOrThrow({ where: { id: c.id } })).status).toBe("cancelled");
    expect(await new Redis(TEST_REDIS_URL).exists(`${h.config.REDIS_PREFIX}:conv:${d.user}`)).toBe(0);

    // The check that waited in the queue finds the submission closed and tells nobody anything.
    await h.workers!.worker.resume();
    const sub = await h.db.submission.findFirstOrThrow({ where: { caseId: c.id } });
    const job = await h.bot.deps.verifyQueue.getJob(`verify-${sub.id}`);
    for (let i = 0; i < 100 && (await job?.getState()) !== "completed"; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await job?.getState()).toBe("completed");
    await d.s.expectSilence(500);

    // Pressed twice: nothing more happens.
    const before = (await h.client.callbackAnswers(d.user)).at(-1)?.seq ?? 0;
    await h.client.press(d.user, confirm.message_id, "deleteme:yes", { from: d.s.from });
    expect((await h.client.callbackAnswers(d.user, { after: before, wait: 5 }))[0]?.text).toBe(en("deleteme-already"));
    await d.s.expectSilence(500);
    expect(await h.db.auditEvent.count({ where: { sellerId: c.sellerId, action: "seller.erased" } })).toBe(1);
    expect(scanText("pg_dump", pgDump([h.schema]), SECRETS)).toEqual([]);
  }, 60_000);

  it("during an open review, staff are told on the card", async () => {
    const d = await startDialog(h, nextUser++);
    await d.s.press("consent:no", d.prompts.consent?.message_id);
    await d.s.press("manual:yes", (await expectNext(d.s, en("verify-manual-offer"))).message_id);
    await expectNext(d.s, en("verify-manual-requested"));
    const c = await currentCase(d);
    const card = await h.group!.card(c.id);
    await d.s.text("/deleteme");
    await d.s.press("deleteme:yes", (await d.s.next()).message_id);
    await d.s.next();
    const notice = await h.group!.waitFor((m) => m.reply_to_message_id === card.message_id && bodyOf(m).startsWith("🗑"), "the erasure notice");
    expect(bodyOf(notice)).toContain(c.id.slice(0, 8));
    await h.group!.card(c.id, (m) => bodyOf(m).includes(en("staff-status-cancelled")) && !(m.reply_markup as { inline_keyboard?: unknown[] } | undefined)?.inline_keyboard?.length);
    expect(await h.group!.member(ADMIN).press(card.message_id, caseCallback("approve", c.id))).toMatch(/already closed/);
  });
});

describe("retention", () => {
  it("deletes photos, the face template and identity ciphertext RETENTION_DAYS after the case closed, on the core clock", async () => {
    const s = h.seller(nextUser++, { language_code: "en" });
    await openEnrolmentToChallenge(h, s, await ownCopy("handsdataset_5_pic00050.jpg"));
    const seller = await h.db.seller.findUniqueOrThrow({ where: { telegramUserId: BigInt(s.userId) } });
    const c = await h.db.verificationCase.findFirstOrThrow({ where: { sellerId: seller.id } });
    await h.db.verificationCase.update({ where: { id: c.id }, data: { gesture: "victory" } });
    await s.send({ photo: await ownCopy("handsdataset_5_pic00081.jpg") });
    await s.expect(en("verify-checking"));
    expect((await s.next(60_000)).text).toMatch(/^✅/);
    const photos = await h.db.photo.findMany({ where: { sellerId: seller.id } });
    expect(photos).toHaveLength(2);

    // A day before the end of retention nothing goes.
    h.clock.advance((h.config.RETENTION_DAYS - 1) * 86_400_000);
    await h.sweep();
    expect((await h.db.seller.findUniqueOrThrow({ where: { id: seller.id } })).faceEmbeddingEnc).not.toBeNull();
    expect((await retentionPlan(h.bot.deps, h.clock.now())).photos).toBe(0);

    h.clock.advance(2 * 86_400_000);
    expect((await retentionPlan(h.bot.deps, h.clock.now())).photos).toBeGreaterThanOrEqual(2);
    // An earlier run was cut off after deleting one file and before marking its row: this run resumes.
    await h.bot.deps.photos.delete(photos[0]!.storageKey);
    expect((await h.sweep()).purged).toBeGreaterThanOrEqual(4);
    for (const p of photos) expect(await h.bot.deps.photos.exists(p.storageKey)).toBe(false);
    expect((await h.db.photo.findMany({ where: { sellerId: seller.id } })).every((p) => p.purgedAt)).toBe(true);
    const after = await h.db.seller.findUniqueOrThrow({ where: { id: seller.id }, include: { identities: true, faceBuckets: true } });
    expect(after.faceEmbeddingEnc).toBeNull();
    expect(after.faceBuckets).toEqual([]);
    expect(after.identities.map((i) => [i.nameEnc, i.idNumberEnc, i.phoneEnc])).toEqual([[null, null, null]]);
    expect(after.identities[0]!.idNumberMask).toMatch(/^E\*+/);
    expect(await h.db.auditEvent.count({ where: { action: "retention.purged" } })).toBeGreaterThanOrEqual(1);
    // Once a day: the next sweep that day does not run it again.
    expect((await h.sweep()).purged).toBe(0);
  }, 120_000);

  it("npm run --silent purge -- --dry-run prints what would go, as one JSON line", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "bot/cli/purge.ts", "--dry-run"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: TEST_DATABASE_URL, DATA_DIR: join(tmpdir(), "shiren-purge-dry") },
      encoding: "utf8",
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(["complete", "cutoff", "dryRun", "faceTemplates", "identities", "photos"]);
    expect(out.dryRun).toBe(true);
    expect(existsSync(join(tmpdir(), "shiren-purge-dry", "photos"))).toBe(false);
  });
});

describe("a daily limit on selfies", () => {
  it("beyond MAX_ATTEMPTS_PER_DAY the seller is told when to try again, and can then", async () => {
    const d = await driveTo(await startDialog(h, nextUser++), "document");
    const c = await currentCase(d);
    // Three selfies already today, in an earlier case of this seller.
    const old = await h.db.verificationCase.create({
      data: { sellerId: c.sellerId, status: "cancelled", maxAttempts: 3, createdAt: new Date(h.clock.now().getTime() - 6 * 3600_000) },
    });
    const p = await h.db.photo.create({ data: { sellerId: c.sellerId, caseId: old.id, kind: "selfie", storageKey: "0".repeat(64), sha256: "0".repeat(64), width: 1, height: 1, purgedAt: new Date() } });
    const now = h.clock.now().getTime();
    for (let i = 1; i <= 3; i++) {
      await h.db.submission.create({ data: { caseId: old.id, attempt: i, gesture: "victory", photoId: p.id, status: "decided", createdAt: new Date(now - (5 - i) * 3600_000) } });
    }
    await d.s.send({ photo: DOC_PHOTO.toString("base64") });
    // The oldest of the three was 4 h ago: 20 h to wait. The dialog waits with a button.
    const limit = await d.s.next();
    expect(limit.text).toBe(en("verify-daily-limit", { max: 3, hours: 20, minutes: 0 }));
    expect(d.s.buttons(limit)).toEqual(["limit:again"]);
    expect((await currentCase(d)).status).toBe("collecting");
    // Pressed too early: the wait again, shorter.
    h.clock.advance(19 * 3600_000 + 30 * 60_000);
    await d.s.press("limit:again", limit.message_id);
    const again = await d.s.next();
    expect(again.text).toBe(en("verify-daily-limit", { max: 3, hours: 0, minutes: 30 }));
    h.clock.advance(31 * 60_000);
    await d.s.press("limit:again", again.message_id);
    expect((await d.s.next()).text).toMatch(/^Last step/);
    expect((await currentCase(d)).status).toBe("awaiting_selfie");
  });
});

describe("production guard", () => {
  it("the bot and both worker processes refuse a real BOT_TOKEN on the development key, or on no key, whatever NODE_ENV says", () => {
    for (const entry of ["bot/main.ts", "workers/main.ts", "workers/staff-main.ts"]) {
      for (const extra of [{}, { PII_KEY: Buffer.alloc(32, 7).toString("base64") }, { NODE_ENV: "development" }]) {
        const r = spawnSync(process.execPath, ["--import", "tsx", entry], {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? "", BOT_TOKEN: "123456:abcdefghijklmnopqrstuvwxyz", ...extra },
          encoding: "utf8",
          timeout: 30_000,
        });
        expect(r.status, `${entry} ${JSON.stringify(extra)}`).toBe(1);
        expect(r.stderr).toMatch(/PII_KEY: (is required with a real BOT_TOKEN|is the development key, which is public); generate one with: PII_KEY="k1:\$\(openssl rand -base64 32\)"/);
      }
    }
  }, 120_000);
});
