import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * Creates the database when it is missing, then applies migrations with
 * `prisma migrate deploy` (the offline-safe path, see OFFLINE.md).
 * Used by `npm start`, `npm run db:migrate`, the test global setup and CI.
 */
export async function ensureDatabase(databaseUrl: string): Promise<{ created: boolean }> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!/^[a-zA-Z0-9_]+$/.test(name)) throw new Error(`unsupported database name "${name}"`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  admin.search = "";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return { created: false };
    try {
      await client.query(`create database "${name}"`);
    } catch (err) {
      // Two processes starting together: the other one won the race.
      if ((err as { code?: string }).code !== "42P04") throw err;
      return { created: false };
    }
    return { created: true };
  } finally {
    await client.end();
  }
}

export function migrateDeploy(databaseUrl: string): void {
  const url = new URL(databaseUrl);
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const r = spawnSync(process.execPath, ["-r", `${root}prisma/unref-long-timers.cjs`, `${root}node_modules/prisma/build/index.js`, "migrate", "deploy"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url.toString() },
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${r.stdout}\n${r.stderr}`);
}

export async function setupDatabase(databaseUrl: string): Promise<void> {
  await ensureDatabase(databaseUrl);
  migrateDeploy(databaseUrl);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseConfig } = await import("../config");
  const config = parseConfig(process.env);
  await setupDatabase(config.DATABASE_URL);
  console.log("database ready:", new URL(config.DATABASE_URL).pathname.slice(1));
}
