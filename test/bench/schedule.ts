/**
 * npm run bench:schedule -- [--sellers 1000000] [--small 100000] [--runs 3] [--page-size 1000] [--spike 50000] [--reuse] [--timing]
 *
 * The recheck sweep (core/recheck/rechecks.ts) against a million sellers in PostgreSQL.
 * Sellers passed at times spread over the last 180 days, so about 1/180 of them come due
 * each day; the sweep opens a case OPEN_BEFORE_DAYS before the due date. The data is the
 * state yesterday's sweep left: the rechecks of the next 6 days open, sellers in their grace
 * period, a backlog of restricted sellers, reminders already sent. Timed, median of --runs,
 * each run from the same state (the rows a run wrote are deleted, the sellers restored,
 * then VACUUM ANALYZE, as autovacuum would have done by the next day):
 *   - a normal day: ~5,600 newly due, 1M sellers;
 *   - the same day on --small sellers with the same sellers due and the same open rechecks
 *     (only sellers not due are fewer): the cost should follow the due, not the sellers;
 *   - the next minutes of that day (the staff process sweeps every minute): nothing new due;
 *   - a day with 10x as many due (--spike sellers more, as after one big rollout day).
 * Then the 10x day once more with auto_explain on: the plans the sweep's own statements got, and the time
 * each kind of statement took in PostgreSQL against the time the sweep waited for it, and the plan of a page
 * opened (--timing adds each node's time, at some cost to the statements).
 * Its own database (BENCH_DATABASE_URL overrides); drop it with `dropdb -h 127.0.0.1 -U postgres shiren_bench_schedule`.
 */
import { parseArgs } from "node:util";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { parseConfig } from "../../core/config";
import { createDb, PrismaClient, type Db } from "../../core/db/client";
import { setupDatabase } from "../../core/db/setup";
import { DAY_MS, OPEN_BEFORE_DAYS } from "../../core/recheck/policy";
import { sweepRechecks, type RecheckSweep } from "../../core/recheck/rechecks";
import { migrateSchema, percentile } from "./support";

const { values: opt } = parseArgs({
  options: {
    sellers: { type: "string", default: "1000000" },
    small: { type: "string", default: "100000" },
    runs: { type: "string", default: "3" },
    "page-size": { type: "string", default: "1000" },
    spike: { type: "string", default: "50000" },
    reuse: { type: "boolean", default: false },
    timing: { type: "boolean", default: false },
  },
});
const BIG = Number(opt.sellers);
const SMALL = Number(opt.small);
const RUNS = Number(opt.runs);
const PAGE_SIZE = Number(opt["page-size"]);
const SPIKE = Number(opt.spike);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren_bench_schedule";
const SMALL_SCHEMA = "sellers_small";
const TARGET_MS = 10_000;

/** The normal day's sweep; yesterday's ran at T0 - 1 day. */
const T0 = new Date("2027-03-01T03:00:00.000Z");
const PER_DAY = Math.round(BIG / 180);
const SEED_VERSION = 2;

const note = (m: string) => process.stderr.write(`[bench:schedule] ${m}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number) => n.toLocaleString("en-US");

/**
 * Who is where on the normal day, by seller number g (ids are md5 of g, so the groups are
 * interleaved in every index). Everything the sweep reads is the same size in both datasets;
 * only the far part of the cycle and the never-verified sellers grow with the seller count.
 */
function groupsFor(sellers: number) {
  const g = {
    /** verified, due in (T0+6d, T0+7d]: their case opens today */
    newDue: PER_DAY,
    /** recheck_due, case opened on an earlier day, due in (T0, T0+6d] */
    ahead: 6 * PER_DAY,
    /** recheck_due, due in (T0-15d, T0]: a quarter of each day's sellers are late; those due before T0-14d are restricted today */
    grace: 15 * Math.round(PER_DAY / 4),
    /** restricted on an earlier day, their case still open (a recheck lifts it): 2% of a million */
    restricted: Math.round(BIG * 0.02),
    /** imported, never verified; half were invited by an earlier rollout wave */
    unverified: Math.round(sellers * 0.03),
    /** among the far verified: an unscheduled (risk) recheck due today, and later within 30 days */
    unschedDue: Math.round(PER_DAY * 0.18),
    unschedLater: Math.round(sellers * 0.03),
    far: 0,
  };
  g.far = sellers - g.newDue - g.ahead - g.grace - g.restricted - g.unverified;
  if (g.far < g.unschedDue + g.unschedLater) throw new Error(`${sellers} sellers are too few for ${PER_DAY} due a day`);
  return g;
}
type Groups = ReturnType<typeof groupsFor>;

interface Dataset {
  label: string;
  sellers: number;
  schema: string;
  sql: pg.Client;
  db: Db;
  groups: Groups;
  seedMs?: number;
}

async function connect(schema: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path="${schema}"` });
  await c.connect();
  return c;
}

const TABLES = ["Seller", "VerificationCase", "Reminder", "AuditEvent", "WebhookEvent"];

async function seed(ds: Dataset): Promise<void> {
  const { sql: c, groups: g } = ds;
  const found = await c.query(`SELECT value FROM "_bench_meta" WHERE key = 'seed'`).catch(() => null);
  const want = JSON.stringify({ v: SEED_VERSION, sellers: ds.sellers, perDay: PER_DAY, restricted: g.restricted, t0: T0.toISOString() });
  if (opt.reuse && found?.rows[0]?.value === want) {
    note(`${ds.label}: reusing the seeded data (--reuse)`);
    return;
  }
  const t = performance.now();
  const steps: string[] = [];
  const step = async (name: string, q: string, params: unknown[] = []) => {
    const s = performance.now();
    const r = await c.query(q, params);
    steps.push(`${name} ${secs(performance.now() - s)}${r.rowCount ? ` (${int(r.rowCount)} rows)` : ""}`);
  };
  await c.query(`SET synchronous_commit = off; SET maintenance_work_mem = '256MB'; SELECT setseed(0.42)`);
  await c.query(`DROP TABLE IF EXISTS "_bench_meta", "_bench_seller_state", "_bench_case_state"`);
  await c.query(`TRUNCATE ${["Seller", "VerificationCase", "Identity", "Photo", "Submission", "AuditEvent", "Reminder", "WebhookEvent", "FaceBucket"].map((x) => `"${x}"`).join(", ")} CASCADE`);
  // Autovacuum stays off on the bench's tables: each run ends with its own VACUUM ANALYZE, so no run pays for another's.
  for (const x of TABLES) await c.query(`ALTER TABLE "${x}" SET (autovacuum_enabled = off)`);

  const b1 = g.newDue;
  const b2 = b1 + g.ahead;
  const b3 = b2 + g.grace;
  const b4 = b3 + g.restricted;
  const b5 = b4 + g.unverified;
  const u1 = b5 + g.unschedDue;
  const u2 = u1 + g.unschedLater;
  await step(
    "sellers",
    `INSERT INTO "Seller" (id, "shopId", "shopName", "telegramUserId", "telegramChatId", locale, status, "riskFlags",
       "nextRecheckAt", "lastVerifiedAt", "unscheduledRecheckAt", "restrictedAt", "rolloutWave", "inviteAt", "invitedAt",
       "boundAt", "createdAt", "updatedAt")
     SELECT md5('seller-' || g)::uuid, 'shop-' || g, 'Shop ' || g,
       CASE WHEN grp <> 'unverified' THEN 5000000000 + g END, CASE WHEN grp <> 'unverified' THEN 5000000000 + g END,
       (ARRAY['zh-Hans', 'zh-Hant', 'en'])[1 + g % 3],
       (CASE grp WHEN 'unverified' THEN 'unverified' WHEN 'ahead' THEN 'recheck_due' WHEN 'grace' THEN 'recheck_due'
         WHEN 'restricted' THEN 'restricted' ELSE 'verified' END)::"SellerStatus",
       CASE WHEN unsched IS NULL THEN ARRAY[]::text[] ELSE ARRAY['high-risk'] END,
       due, due - interval '180 days', unsched,
       CASE WHEN grp = 'restricted' THEN due + interval '14 days' END,
       CASE WHEN invited THEN 1 END, CASE WHEN invited THEN t0 - interval '30 days' END, CASE WHEN invited THEN t0 - interval '30 days' END,
       CASE WHEN grp <> 'unverified' THEN t0 - interval '400 days' END,
       t0 - interval '400 days', coalesce(due - interval '180 days', t0 - interval '400 days')
     FROM (
       SELECT g, grp, t0, grp = 'unverified' AND g % 2 = 0 AS invited,
         date_trunc('milliseconds', CASE grp
           WHEN 'new' THEN t0 + interval '6 days' + r * interval '1 day'
           WHEN 'ahead' THEN t0 + r * interval '6 days'
           WHEN 'grace' THEN t0 - interval '15 days' + r * interval '15 days'
           WHEN 'restricted' THEN t0 - interval '180 days' + r * interval '165 days'
           WHEN 'far' THEN t0 + interval '7 days' + r * interval '173 days' END) AS due,
         date_trunc('milliseconds', CASE WHEN grp = 'far' AND g <= $8 THEN t0 - r2 * interval '1 day'
           WHEN grp = 'far' AND g <= $9 THEN t0 + r2 * interval '29 days' END) AS unsched
       FROM (
         SELECT g, $1::timestamp AS t0, 1 - random() AS r, 1 - random() AS r2,
           CASE WHEN g <= $3 THEN 'new' WHEN g <= $4 THEN 'ahead' WHEN g <= $5 THEN 'grace' WHEN g <= $6 THEN 'restricted'
             WHEN g <= $7 THEN 'unverified' ELSE 'far' END AS grp
         FROM generate_series(1, $2::int) g
       ) a
     ) b`,
    [T0.toISOString(), ds.sellers, b1, b2, b3, b4, b5, u1, u2],
  );
  // Every verified seller has the first case that verified them.
  await step(
    "initial cases (passed)",
    `INSERT INTO "VerificationCase" (id, "sellerId", kind, status, "consentAt", "faceConsentAt", attempts, "maxAttempts", verdict, "createdAt", "updatedAt", "closedAt")
     SELECT gen_random_uuid(), id, 'initial', 'passed', "lastVerifiedAt" - interval '5 minutes', "lastVerifiedAt" - interval '5 minutes', 1, 3, 'pass',
       "lastVerifiedAt" - interval '6 minutes', "lastVerifiedAt", "lastVerifiedAt"
     FROM "Seller" WHERE "lastVerifiedAt" IS NOT NULL`,
  );
  // The open rechecks, opened 7 days before their due date; most wait for the seller, some are with us (review).
  await step(
    "open periodic cases",
    // remindAt: the next reminder or restriction after yesterday's sweep (core/recheck/policy.ts nextRecheckEvent), none left for the restricted.
    `INSERT INTO "VerificationCase" (id, "sellerId", kind, status, attempts, "maxAttempts", "createdAt", "updatedAt", "dueAt", "remindAt")
     SELECT gen_random_uuid(), id, 'periodic',
       (CASE WHEN status = 'restricted' OR h < 80 THEN 'collecting' WHEN h < 90 THEN 'awaiting_selfie' WHEN h < 95 THEN 'failed' ELSE 'review' END)::"CaseStatus",
       CASE WHEN h >= 90 THEN 1 ELSE 0 END, 3, "nextRecheckAt" - interval '7 days', "nextRecheckAt" - interval '7 days', "nextRecheckAt",
       (SELECT min(t) FROM unnest(ARRAY["nextRecheckAt" - interval '7 days', "nextRecheckAt" - interval '1 day', "nextRecheckAt", "nextRecheckAt" + interval '3 days',
          CASE WHEN status <> 'restricted' THEN "nextRecheckAt" + interval '14 days' END]) t WHERE t > $1::timestamp - interval '1 day')
     FROM (SELECT id, status, "nextRecheckAt", abs(hashtext(id::text)) % 100 AS h FROM "Seller" WHERE status IN ('recheck_due', 'restricted')) s`,
    [T0.toISOString()],
  );
  // Every reminder the daily sweeps up to yesterday's wrote (and sent), and the restriction notices.
  await step(
    "reminders sent before",
    `INSERT INTO "Reminder" (key, "sellerId", "caseId", kind, "offsetDays", "dueAt", "createdAt", "sentAt", outcome)
     SELECT 'recheck:' || c."sellerId" || ':' || (extract(epoch FROM c."dueAt") * 1000)::bigint || ':' || o, c."sellerId", c.id, 'recheck', o, c."dueAt",
       c."dueAt" + o * interval '1 day', c."dueAt" + o * interval '1 day' + interval '1 minute', 'sent'
     FROM "VerificationCase" c CROSS JOIN (VALUES (-7), (-1), (0), (3)) v(o)
     WHERE c.kind = 'periodic' AND c."dueAt" + o * interval '1 day' <= $1::timestamp - interval '1 day'
     UNION ALL
     SELECT 'restricted:' || s.id || ':' || (extract(epoch FROM s."nextRecheckAt") * 1000)::bigint || ':0', s.id, c.id, 'restricted', 0, s."nextRecheckAt",
       s."restrictedAt", s."restrictedAt" + interval '1 minute', 'sent'
     FROM "Seller" s JOIN "VerificationCase" c ON c."sellerId" = s.id AND c.kind = 'periodic'
     WHERE s.status = 'restricted'`,
    [T0.toISOString()],
  );
  // What every run starts from; the reset puts the sellers back to it.
  await step(
    "snapshot",
    `CREATE TABLE "_bench_seller_state" AS SELECT id, status, "nextRecheckAt", "lastVerifiedAt", "unscheduledRecheckAt", "restrictedAt", "invitedAt", "updatedAt" FROM "Seller";
     ALTER TABLE "_bench_seller_state" ADD PRIMARY KEY (id);
     CREATE TABLE "_bench_case_state" AS SELECT id, "remindAt" FROM "VerificationCase" WHERE kind = 'periodic';
     ALTER TABLE "_bench_case_state" ADD PRIMARY KEY (id)`,
  );
  await step("vacuum analyze", `VACUUM (ANALYZE) ${TABLES.map((x) => `"${x}"`).join(", ")}`);
  await c.query(`CREATE TABLE "_bench_meta" (key text PRIMARY KEY, value text); INSERT INTO "_bench_meta" VALUES ('seed', $$${want}$$)`);
  ds.seedMs = performance.now() - t;
  note(`${ds.label}: seeded in ${secs(ds.seedMs)}: ${steps.join(", ")}`);
}

/** Back to the seeded state: rows written at or after T0 go, sellers are restored from the snapshot. */
async function reset(ds: Dataset): Promise<number> {
  const t = performance.now();
  const c = ds.sql;
  const at = T0.toISOString();
  // Everything that points at the deleted cases was written by the run and is deleted explicitly first,
  // so the foreign-key triggers can stay off.
  await c.query(`SET session_replication_role = replica`);
  await c.query(`DELETE FROM "Reminder" WHERE "createdAt" >= $1::timestamp`, [at]);
  await c.query(`DELETE FROM "AuditEvent" WHERE at >= $1::timestamp`, [at]);
  await c.query(`DELETE FROM "WebhookEvent" WHERE "createdAt" >= $1::timestamp`, [at]);
  await c.query(`DELETE FROM "VerificationCase" WHERE "createdAt" >= $1::timestamp`, [at]);
  await c.query(`SET session_replication_role = DEFAULT`);
  const cols = ["status", "nextRecheckAt", "lastVerifiedAt", "unscheduledRecheckAt", "restrictedAt", "invitedAt", "updatedAt"].map((x) => `"${x}"`);
  await c.query(
    `UPDATE "Seller" s SET ${cols.map((x) => `${x} = b.${x}`).join(", ")} FROM "_bench_seller_state" b
     WHERE s.id = b.id AND (${cols.map((x) => `s.${x}`).join(", ")}) IS DISTINCT FROM (${cols.map((x) => `b.${x}`).join(", ")})`,
  );
  await c.query(
    `UPDATE "VerificationCase" v SET "remindAt" = b."remindAt" FROM "_bench_case_state" b WHERE v.id = b.id AND v."remindAt" IS DISTINCT FROM b."remindAt"`,
  );
  await c.query(`VACUUM (ANALYZE) ${TABLES.map((x) => `"${x}"`).join(", ")}`);
  return performance.now() - t;
}

/** One big rollout day 180 days ago: --spike sellers from the far end of the cycle come due today as well. */
async function addSpike(ds: Dataset): Promise<number> {
  await ds.sql.query(`SELECT setseed(0.17)`);
  const r = await ds.sql.query(
    `UPDATE "Seller" s SET "nextRecheckAt" = x.due, "lastVerifiedAt" = x.due - interval '180 days'
     FROM (SELECT id, date_trunc('milliseconds', $1::timestamp + interval '6 days' + (1 - random()) * interval '1 day') AS due
           FROM "Seller" WHERE status = 'verified' AND "nextRecheckAt" > $1::timestamp + interval '30 days' AND "unscheduledRecheckAt" IS NULL
           ORDER BY "nextRecheckAt" DESC LIMIT $2) x
     WHERE s.id = x.id`,
    [T0.toISOString(), SPIKE],
  );
  await ds.sql.query(`VACUUM (ANALYZE) "Seller"`);
  return r.rowCount ?? 0;
}

let clock = T0;
const config = parseConfig({ DATABASE_URL });
const depsOf = (db: Db) => ({ db, config, now: () => clock });

interface Run {
  ms: number;
  sweep: RecheckSweep;
  periodic: number;
  unscheduled: number;
}

async function sweepOnce(ds: Dataset, at: Date, db: Db = ds.db): Promise<Run> {
  clock = at;
  const t = performance.now();
  const sweep = await sweepRechecks(depsOf(db), { pageSize: PAGE_SIZE });
  const ms = performance.now() - t;
  const kinds = await ds.sql.query<{ kind: string; n: number }>(`SELECT kind::text, count(*)::int AS n FROM "VerificationCase" WHERE "createdAt" = $1::timestamp GROUP BY kind`, [
    at.toISOString(),
  ]);
  const n = (k: string) => kinds.rows.find((r) => r.kind === k)?.n ?? 0;
  return { ms, sweep, periodic: n("periodic"), unscheduled: n("unscheduled") };
}

const describeRun = (r: Run) =>
  `${secs(r.ms).padStart(8)}  opened ${int(r.sweep.opened)} (periodic ${int(r.periodic)}, unscheduled ${int(r.unscheduled)}), ` +
  `reminders ${int(r.sweep.reminders.length)}, restricted ${int(r.sweep.restricted)}, pages ${r.sweep.pages}`;

/** --runs sweeps of the day at T0, each from the seeded state; returns the run with the median time. */
async function timeDay(ds: Dataset, title: string, prepare?: () => Promise<unknown>): Promise<Run> {
  console.log(`\n${title}`);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const resetMs = await reset(ds);
    await prepare?.();
    const r = await sweepOnce(ds, T0);
    runs.push(r);
    console.log(`  run ${i + 1}: ${describeRun(r)}   (reset before it ${secs(resetMs)})`);
  }
  const med = percentile(runs.map((r) => r.ms), 50);
  const m = runs.find((r) => r.ms === med)!;
  console.log(`  median ${secs(med)}`);
  return m;
}

/** The minutes after the day's sweep: nothing newly due, the open rechecks read again. */
async function timeQuietMinutes(ds: Dataset): Promise<Run> {
  console.log(`\n${ds.label}: the sweeps of the following minutes (nothing newly due; the staff process sweeps every minute)`);
  const runs: Run[] = [];
  for (let i = 1; i <= RUNS; i++) {
    const r = await sweepOnce(ds, new Date(T0.getTime() + i * 60_000));
    runs.push(r);
    console.log(`  T0+${i} min: ${describeRun(r)}`);
  }
  const med = percentile(runs.map((r) => r.ms), 50);
  console.log(`  median ${secs(med)}`);
  return runs.find((r) => r.ms === med)!;
}

// --- auto_explain: the plans of the statements the sweep really sends, with their parameters, at the moment they run;
// a query extension times the same statements as the sweep sees them (Prisma, the round trip, Postgres).

interface Explained {
  label: string;
  sql: string;
  ms: number;
  plan: string[];
}

const PERIODIC = "periodic page";
const WAITING = "waiting-cases page (remindAt due, + its sellers)";
const OPEN_PAGE = "open a page (claim, cases, audit, reminders)";
/** Statement kinds, recognised from the SQL Postgres receives. */
const SQL_LABELS: [RegExp, string][] = [
  [/^\s*WITH (claimed|before) AS/, OPEN_PAGE],
  [/^\s*SELECT [\s\S]*FROM "[^"]+"\."Seller" WHERE [\s\S]*"nextRecheckAt" <=/, PERIODIC],
  [/^\s*SELECT [\s\S]*FROM "[^"]+"\."Seller" WHERE [\s\S]*"unscheduledRecheckAt" <=/, "unscheduled page"],
  [/^\s*SELECT [\s\S]*FROM "[^"]+"\."Seller" WHERE [\s\S]*"inviteAt" <=/, "invite page"],
  [/^\s*SELECT [\s\S]*FROM "VerificationCase" c JOIN "Seller"[\s\S]*"remindAt" <=/, WAITING],
  [/UPDATE "VerificationCase" c SET "remindAt"/, "next moments of a page (UPDATE ... FROM unnest)"],
  [/UPDATE "Seller" (s )?SET status = 'recheck_due'/, "claim sellers (UPDATE ... RETURNING)"],
  [/UPDATE "Seller" SET status = 'restricted'/, "restrict sellers (UPDATE ... RETURNING)"],
  [/UPDATE "Seller" SET "invitedAt"/, "claim invites"],
  [/UPDATE "Seller" s SET "unscheduledRecheckAt" = NULL/, "clear spent unscheduled draws"],
  [/INSERT INTO ("[^"]+"\.)?"VerificationCase"/, "insert cases"],
  [/INSERT INTO ("[^"]+"\.)?"AuditEvent"/, "insert audit"],
  [/INSERT INTO ("[^"]+"\.)?"Reminder"/, "insert reminders (ON CONFLICT DO NOTHING)"],
  [/INSERT INTO ("[^"]+"\.)?"WebhookEvent"/, "insert webhook events"],
];
const sqlLabel = (sql: string) => SQL_LABELS.find(([re]) => re.test(sql))?.[1] ?? `other: ${sql.slice(0, 50).replace(/\s+/g, " ")}`;

/** The same kinds, recognised from the Prisma call the sweep makes. */
function callLabel(model: string | undefined, operation: string, args: unknown): string {
  const a = args as { where?: Record<string, unknown>; strings?: readonly string[] } | readonly unknown[] | undefined;
  if (!model) {
    const sql = Array.isArray(a) ? String((a[0] as readonly string[] | undefined)?.join("?") ?? a[0]) : ((a as { strings?: readonly string[] })?.strings?.join("?") ?? "");
    return sqlLabel(sql);
  }
  const where = Object.keys((a as { where?: object } | undefined)?.where ?? {});
  if (model === "Seller" && operation === "findMany")
    return where.includes("nextRecheckAt") ? PERIODIC : where.includes("unscheduledRecheckAt") ? "unscheduled page" : "invite page";
  if (model === "VerificationCase" && operation === "findMany") return where.includes("dueAt") ? WAITING : "open-case check of a page";
  if (model === "VerificationCase" && operation.startsWith("createMany")) return "insert cases";
  if (model === "AuditEvent") return "insert audit";
  if (model === "Reminder") return "insert reminders (ON CONFLICT DO NOTHING)";
  if (model === "WebhookEvent") return "insert webhook events";
  if (model === "Seller" && operation === "updateMany") return "clear spent unscheduled draws";
  return `other: ${model}.${operation}`;
}

function explainingDb(schema: string, onPlan: (e: Explained) => void, onCall: (label: string, ms: number) => void): { db: Db; close(): Promise<void> } {
  // Set at connection start (the user is a superuser here), so every statement of the sweep is explained.
  // ANALYZE with per-node timing off unless --timing: actual rows and buffers, at little cost to the statement's own duration.
  const explain = [
    "session_preload_libraries=auto_explain",
    "auto_explain.log_min_duration=0",
    "auto_explain.log_analyze=on",
    `auto_explain.log_timing=${opt.timing ? "on" : "off"}`,
    "auto_explain.log_buffers=on",
    "auto_explain.log_level=notice",
  ].map((o) => `-c ${o}`);
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10, options: [`-c search_path="${schema}"`, ...explain].join(" ") });
  pool.on("connect", (client) => {
    client.on("notice", (n) => {
      const m = /^duration: ([\d.]+) ms\s+plan:\n([\s\S]*)$/.exec(n.message ?? "");
      if (!m) return;
      const lines = m[2]!.split("\n");
      const planAt = lines.findIndex((l) => /\(cost=/.test(l));
      const sql = lines.slice(0, planAt).join("\n").replace(/^Query Text: /, "");
      onPlan({ label: sqlLabel(sql), sql, ms: Number(m[1]), plan: lines.slice(planAt) });
    });
  });
  const base = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  const db = base.$extends({
    query: {
      async $allOperations({ model, operation, args, query }) {
        const t = performance.now();
        try {
          return await query(args);
        } finally {
          onCall(callLabel(model, operation, args), performance.now() - t);
        }
      },
    },
  }) as unknown as Db;
  return { db, close: () => base.$disconnect().then(() => pool.end()) };
}

/** What the plan says about the access path: the scan node and index, rows it read for the rows returned, a sort, where the cursor went. */
function diagnose(plan: string[]): string {
  const returned = /actual[^)]*?rows=(\d+)/.exec(plan[0] ?? "")?.[1] ?? "?";
  const scanAt = plan.findIndex((l) => /(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)/.test(l));
  const scan = plan[scanAt] ?? "";
  const node = /(Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)( using "?([\w]+)"?)?/.exec(scan);
  const index = node?.[3] ?? plan.slice(scanAt).map((l) => /Bitmap Index Scan on "?([\w]+)"?/.exec(l)?.[1]).find(Boolean) ?? "";
  const read = /actual[^)]*?rows=(\d+)/.exec(scan)?.[1] ?? "?";
  const rest = plan.slice(scanAt + 1, scanAt + 6).join("\n");
  const cursor = /Filter: .*(> '|\) > ROW)/.test(rest) ? "the cursor is a Filter (no lower bound in the index)" : /Index Cond: .*ROW\(/.test(rest) ? "the cursor is an Index Cond" : "no cursor";
  const sort = plan.some((l) => /^\s*(->\s*)?Sort /.test(l.trim()) || /Sort Key/.test(l)) ? ", then a Sort of all of them" : "";
  const fetches = /Heap Fetches: (\d+)/.exec(rest)?.[1];
  const removed = /Rows Removed by Filter: (\d+)/.exec(rest)?.[1];
  const extra = [fetches && `${int(Number(fetches))} heap fetches`, removed && `${int(Number(removed))} removed by the filter`].filter(Boolean).join(", ");
  return `${node?.[1] ?? "?"}${index ? ` using ${index}` : ""}: read ${int(Number(read))} rows${extra ? ` (${extra})` : ""} for ${int(Number(returned))} returned${sort}; ${cursor}`;
}

/** The plan's first lines, trimmed to what tells the access path: node, index, conditions, rows, buffers. */
function summarize(plan: string[], max = 10): string[] {
  return plan
    .filter((l) => l.trim() && !/^\s*(Planning|Execution|JIT)/.test(l))
    .slice(0, max)
    .map((l) => `      ${l.replace(/\(cost=[^)]*\)\s*/, "").replace(/"[a-z_]+"\."(\w+)"\./g, "").slice(0, 200)}`);
}

async function explainDay(ds: Dataset, title: string, prepare?: () => Promise<unknown>): Promise<{ run: Run; serverMs: number }> {
  console.log(`\n${title}`);
  await reset(ds);
  await prepare?.();
  const plans: Explained[] = [];
  const calls = new Map<string, { n: number; ms: number }>();
  const x = explainingDb(
    ds.schema,
    (e) => plans.push(e),
    (label, ms) => {
      const c = calls.get(label) ?? { n: 0, ms: 0 };
      calls.set(label, { n: c.n + 1, ms: c.ms + ms });
    },
  );
  const r = await sweepOnce(ds, T0, x.db);
  await x.close();
  console.log(`  ${describeRun(r)}   (auto_explain on)`);
  const server = new Map<string, number>();
  for (const e of plans) server.set(e.label, (server.get(e.label) ?? 0) + e.ms);
  const serverMs = [...server.values()].reduce((a, b) => a + b, 0);
  console.log(`  per statement kind: time in PostgreSQL (auto_explain) and as the sweep saw it (Prisma call, round trip included)`);
  console.log(`    ${"statement".padEnd(42)} ${"calls".padStart(6)} ${"in Postgres".padStart(12)} ${"seen by sweep".padStart(14)}`);
  for (const label of [...new Set([...calls.keys(), ...server.keys()])].sort((a, b) => (calls.get(b)?.ms ?? 0) - (calls.get(a)?.ms ?? 0))) {
    const c = calls.get(label);
    console.log(`    ${label.padEnd(42)} ${String(c?.n ?? "-").padStart(6)} ${secs(server.get(label) ?? 0).padStart(12)} ${(c ? secs(c.ms) : "-").padStart(14)}`);
  }
  const seen = [...calls.values()].reduce((a, c) => a + c.ms, 0);
  console.log(`    ${"all".padEnd(42)} ${"".padStart(6)} ${secs(serverMs).padStart(12)} ${secs(seen).padStart(14)}   wall ${secs(r.ms)}`);
  console.log(`  PostgreSQL worked ${secs(serverMs)} of the ${secs(r.ms)}; the rest is this process (Prisma's query compiler and mapping) and round trips`);
  for (const [label, page] of [[PERIODIC, /"Seller"\."nextRecheckAt" <=/], [WAITING, /c\."remindAt" <=/], [OPEN_PAGE, /claimed AS/]] as const) {
    const es = plans.filter((e) => e.label === label && page.test(e.sql));
    const mid = Math.ceil(es.length / 2);
    console.log(`\n  EXPLAIN (ANALYZE, BUFFERS) ${label}: ${es.length} pages, ${secs(sum(es))} in PostgreSQL`);
    for (const [name, e] of [["first page", es[0]], [`page ${mid} of ${es.length}`, es[mid - 1]]] as const) {
      if (!e) continue;
      console.log(`    ${name}, ${e.ms.toFixed(1)} ms: ${diagnose(e.plan)}`);
      for (const l of summarize(e.plan, label === OPEN_PAGE ? 60 : 10)) console.log(l);
    }
  }
  return { run: r, serverMs };
}

const sum = (es: Explained[]) => es.reduce((a, e) => a + e.ms, 0);

async function main(): Promise<void> {
  const started = performance.now();
  note(`database ${new URL(DATABASE_URL).pathname.slice(1)}: creating and migrating (public: ${int(BIG)} sellers, schema ${SMALL_SCHEMA}: ${int(SMALL)})`);
  await setupDatabase(DATABASE_URL);
  const big: Dataset = { label: `${int(BIG)} sellers`, sellers: BIG, schema: "public", sql: await connect("public"), db: createDb(DATABASE_URL), groups: groupsFor(BIG) };
  const small: Dataset = {
    label: `${int(SMALL)} sellers`,
    sellers: SMALL,
    schema: SMALL_SCHEMA,
    sql: null as unknown as pg.Client,
    db: createDb(DATABASE_URL, { schema: SMALL_SCHEMA }),
    groups: groupsFor(SMALL),
  };
  const smallReady = await (async () => {
    const c = await connect(SMALL_SCHEMA);
    const r = await c.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'Seller'`, [SMALL_SCHEMA]);
    await c.end();
    return r.rowCount === 1;
  })();
  if (!(opt.reuse && smallReady)) await migrateSchema(DATABASE_URL, SMALL_SCHEMA);
  small.sql = await connect(SMALL_SCHEMA);

  console.log(`bench:schedule  page size ${PAGE_SIZE}, median of ${RUNS}; 2-core machine, PostgreSQL and this process share it`);
  console.log(`clock T0 = ${T0.toISOString()}; a case opens ${OPEN_BEFORE_DAYS} days before the due date, so today's horizon is ${new Date(T0.getTime() + OPEN_BEFORE_DAYS * DAY_MS).toISOString()}`);
  for (const ds of [big, small]) {
    await seed(ds);
    const g = ds.groups;
    console.log(
      `\n${ds.label}: seeded${ds.seedMs === undefined ? " (reused)" : ` in ${secs(ds.seedMs)}`}\n` +
        `  verified, newly due today ${int(g.newDue)}; verified, due later ${int(g.far)} (of them ${int(g.unschedDue)} with an unscheduled recheck due today, ${int(g.unschedLater)} within 30 days)\n` +
        `  recheck_due with an open periodic case: due within 6 days ${int(g.ahead)}, in the 15-day grace window ${int(g.grace)}; restricted with the case still open ${int(g.restricted)}\n` +
        `  unverified (imported, never verified) ${int(g.unverified)}`,
    );
  }

  const normal = await timeDay(big, `normal day, ${big.label}: ~${int(PER_DAY)} periodic + ${int(big.groups.unschedDue)} unscheduled newly due`);
  const quiet = await timeQuietMinutes(big);
  const smallDay = await timeDay(small, `normal day, ${small.label}: the same due and the same open rechecks`);
  let moved = 0;
  const spikeUp = async () => (moved = await addSpike(big));
  const spike = await timeDay(big, `10x day, ${big.label}: ${int(SPIKE)} more sellers due (one big rollout day 180 days ago)`, spikeUp);
  const explained = await explainDay(big, `10x day again, ${big.label}, with auto_explain (the plans the sweep's own statements got)`, spikeUp);
  if (moved !== SPIKE) note(`only ${moved} sellers could be moved to today`);
  await reset(big); // the spike's sellers back where they were: the next run starts from the normal day

  const verdict = (ok: boolean) => (ok ? "yes" : "NO");
  const ratio = normal.ms / smallDay.ms;
  console.log(`\nsummary (median of ${RUNS}; target: under ${secs(TARGET_MS)}, and the cost follows the sellers due, not the sellers)`);
  console.log(`  ${"day".padEnd(26)} ${"sellers".padStart(10)} ${"newly due".padStart(10)} ${"pages".padStart(6)} ${"wall time".padStart(10)}  under 10 s`);
  const row = (name: string, ds: Dataset, r: Run) =>
    console.log(`  ${name.padEnd(26)} ${int(ds.sellers).padStart(10)} ${int(r.periodic + r.unscheduled).padStart(10)} ${String(r.sweep.pages).padStart(6)} ${secs(r.ms).padStart(10)}  ${verdict(r.ms < TARGET_MS)}`);
  row("normal day", big, normal);
  row("normal day, fewer sellers", small, smallDay);
  row("a minute later", big, quiet);
  row("10x day", big, spike);
  console.log(`  same due, ${int(BIG)} vs ${int(SMALL)} sellers: ${ratio.toFixed(2)}x the time (follows the due, not the sellers: ${verdict(ratio < 1.5)})`);
  console.log(`  10x day vs normal day: ${(spike.ms / normal.ms).toFixed(1)}x the time for ${((spike.periodic + spike.unscheduled) / (normal.periodic + normal.unscheduled)).toFixed(1)}x the newly due`);
  console.log(`  a minute later, nothing newly due: ${secs(quiet.ms)}, ${quiet.sweep.pages} pages (only the rechecks whose next moment has come are read)`);
  console.log(`  10x day with auto_explain: ${secs(explained.serverMs)} in PostgreSQL of ${secs(explained.run.ms)} wall`);
  note(`done in ${secs(performance.now() - started)}; drop the database with: dropdb -h 127.0.0.1 -U postgres ${new URL(DATABASE_URL).pathname.slice(1)}`);
  await Promise.all([big.db.$disconnect(), small.db.$disconnect(), big.sql.end(), small.sql.end()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
