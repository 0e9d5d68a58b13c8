/**
 * npm run bench:checks (second half) -- end to end through the real queue:
 * submissions are enqueued the way the bot does it, worker processes (1, then 2)
 * run the real models, and the verdict message arrives at the Bot API stand-in.
 * `--concurrency N` sets WORKER_CONCURRENCY (measured: 2 gives nothing over 1, the wasm backend is single-threaded).
 * The ID portraits are embedded first (their own jobs, as when the photo arrives).
 * Prints enqueue -> verdict-delivered latency (paced, one at a time), throughput
 * with 1 and 2 worker processes (a burst), and the workers' peak RSS.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Redis } from "ioredis";
import { parseConfig } from "../../core/config";
import { PiiCrypto } from "../../core/crypto";
import { createDb, type Db } from "../../core/db/client";
import { createVerifyQueue, enqueueEmbedDocument, enqueueVerify } from "../../core/jobs";
import { EncryptedFsPhotoStore } from "../../core/photos/store";
import { startStandIn } from "../../sandbox/stand-in/server";
import { fixture } from "../support/fixtures";
import { StandInClient } from "../support/stand-in-client";
import { percentile, resetBenchState, spawnService } from "./support";

const { values: opt } = parseArgs({ options: { jobs: { type: "string", default: "40" }, paced: { type: "string", default: "15" }, concurrency: { type: "string", default: "1" } } });
const BURST = Number(opt.jobs);
const PACED = Number(opt.paced);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren_bench";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379/0";
const PREFIX = "bench-checks";
const DATA_DIR = mkdtempSync(join(tmpdir(), "shiren-bench-checks-"));
const note = (m: string) => process.stderr.write(`[bench:checks e2e] ${m}\n`);

// The HandsDataset man (test/fixtures/images/labels.json): selfies with offered gestures, and a portrait as the document.
const SELFIES: [string, string][] = [
  ["handsdataset_5_pic00081.jpg", "victory"],
  ["handsdataset_5_pic00068.jpg", "pointing_up"],
  ["handsdataset_996_pic00124.jpg", "victory"],
  ["handsdataset_996_pic00078.jpg", "pointing_up"],
  ["handsdataset_1528664299.56_pic00168.jpg", "victory"],
  ["handsdataset_1528664299.56_pic00127.jpg", "pointing_up"],
  ["handsdataset_996_pic00111.jpg", "four"],
  ["handsdataset_5_pic00097.jpg", "four"],
];
const DOCUMENT = "handsdataset_5_pic00050.jpg";

const startWorker = (env: Record<string, string>) => spawnService("worker", ["workers/main.ts"], env, /worker running/);

function peakRssMb(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

let userSeq = 950_000_000;
/** A seller at the point where the bot has stored the selfie and enqueued the check. */
async function prepare(db: Db, store: EncryptedFsPhotoStore, docKey: { key: string; sha256: string }, i: number) {
  const [file, gesture] = SELFIES[i % SELFIES.length]!;
  const selfie = await store.put(readFileSync(fixture(file)));
  const user = userSeq++;
  const seller = await db.seller.create({ data: { telegramUserId: BigInt(user), telegramChatId: BigInt(user), locale: "en", boundAt: new Date() } });
  const doc = await db.photo.create({ data: { sellerId: seller.id, kind: "id_document", storageKey: docKey.key, sha256: docKey.sha256, width: 800, height: 600 } });
  const c = await db.verificationCase.create({
    data: { sellerId: seller.id, status: "queued", maxAttempts: 3, attempts: 1, gesture, documentPhotoId: doc.id, challengeIssuedAt: new Date(), challengeDeadline: new Date(Date.now() + 300_000) },
  });
  const photo = await db.photo.create({ data: { sellerId: seller.id, caseId: c.id, kind: "selfie", storageKey: selfie.key, sha256: selfie.sha256, width: 800, height: 600 } });
  const s = await db.submission.create({ data: { caseId: c.id, attempt: 1, gesture, photoId: photo.id } });
  return { submissionId: s.id, caseId: c.id, user, documentId: doc.id };
}


async function main(): Promise<void> {
  await resetBenchState(DATABASE_URL, REDIS_URL, PREFIX);
  const standIn = await startStandIn({ port: 0 });
  const client = new StandInClient(standIn.url);
  const config = parseConfig({ DATABASE_URL, DATA_DIR });
  const db = createDb(DATABASE_URL);
  const store = new EncryptedFsPhotoStore({ dir: DATA_DIR, crypto: new PiiCrypto(config.PII_KEY) });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = createVerifyQueue(redis, PREFIX, { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS });
  const docKey = await store.put(readFileSync(fixture(DOCUMENT)));
  // The stand-in learns the bot when the workers' Api first calls it; private chats exist once a user spoke.
  const env = { DATABASE_URL, REDIS_URL, REDIS_PREFIX: PREFIX, DATA_DIR, TELEGRAM_API_ROOT: standIn.url, LOG_LEVEL: "info", WORKER_CONCURRENCY: opt.concurrency };

  const results: string[] = [];
  for (const processes of [1, 2]) {
    note(`starting ${processes} worker process(es)`);
    const t0 = performance.now();
    const workers = await Promise.all(Array.from({ length: processes }, () => startWorker(env)));
    const startMs = performance.now() - t0;

    const deliver = async (n: number) => {
      const jobs = [];
      for (let i = 0; i < n; i++) {
        const j = await prepare(db, store, docKey, i);
        await client.sendText(j.user, "hello"); // opens the private chat, as the dialog would have
        // As in the dialog: the ID portrait is embedded when it arrives, a minute before the selfie.
        await enqueueEmbedDocument(queue, { photoId: j.documentId });
        jobs.push(j);
      }
      while ((await db.photo.count({ where: { kind: "id_document", faceCount: null } })) > 0) await new Promise((r) => setTimeout(r, 100));
      return jobs;
    };
    const waitVerdict = async (user: number, t: number) => {
      await client.waitForMessages(user, { after: 0, count: 1, timeoutMs: 120_000 });
      return performance.now() - t;
    };

    // Latency: one job at a time, the queue otherwise empty.
    const lat: number[] = [];
    for (const j of await deliver(processes === 1 ? PACED : 0)) {
      const t = performance.now();
      await enqueueVerify(queue, { submissionId: j.submissionId, caseId: j.caseId });
      lat.push(await waitVerdict(j.user, t));
    }
    // Throughput: a burst, everything enqueued at once.
    const burst = await deliver(BURST);
    const tb = performance.now();
    await Promise.all(burst.map((j) => enqueueVerify(queue, { submissionId: j.submissionId, caseId: j.caseId })));
    await Promise.all(burst.map((j) => waitVerdict(j.user, tb)));
    const secs = (performance.now() - tb) / 1000;
    const rss = workers.map((w) => peakRssMb(w.pid!));
    const verdicts = await db.submission.groupBy({ by: ["verdict"], _count: { _all: true } });
    await Promise.all(workers.map((w) => new Promise((r) => (w.once("exit", r), w.kill("SIGTERM")))));
    if (lat.length) results.push(`enqueue -> verdict delivered (paced, ${lat.length} jobs, 1 process): p50 ${percentile(lat, 50).toFixed(0)} ms, p95 ${percentile(lat, 95).toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms`);
    results.push(
      `${processes} worker process(es): ${BURST} jobs in ${secs.toFixed(2)} s -> ${(BURST / secs).toFixed(2)} checks/s; models loaded in ${(startMs / 1000).toFixed(1)} s; peak RSS ${rss.join(" / ")} MB; verdicts so far ${verdicts.map((v) => `${v.verdict}=${v._count._all}`).join(" ")}`,
    );
  }
  await queue.close();
  redis.disconnect();
  await db.$disconnect();
  await standIn.close();
  rmSync(DATA_DIR, { recursive: true, force: true });
  console.log(`\nbench:checks end to end (2-core machine; PostgreSQL, Redis and the stand-in share it)\n${results.join("\n")}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
