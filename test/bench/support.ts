import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import pg from "pg";
import { setupDatabase } from "../../core/db/setup";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Empties the bench database (created and migrated when missing) and the bench's Redis keys. */
export async function resetBenchState(databaseUrl: string, redisUrl: string, prefix: string): Promise<void> {
  await setupDatabase(databaseUrl);
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  await c.query(`truncate "AuditEvent", "Submission", "Photo", "VerificationCase", "Identity", "FaceBucket", "Seller" cascade`);
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

export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
