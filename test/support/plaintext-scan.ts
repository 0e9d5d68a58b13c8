import { spawnSync } from "node:child_process";
import { Redis } from "ioredis";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env";

/**
 * Looks for identity values where they must never be in the clear: every Redis key
 * under a prefix (strings, hashes, lists, sets, sorted sets, streams), log output,
 * and a pg_dump of database schemas. Each value is searched raw, NFKC-normalised,
 * and as its digits alone (a phone or ID number with the punctuation dropped).
 */

export function formsOf(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const v of values) {
    forms.add(v);
    forms.add(v.normalize("NFKC"));
    const digits = v.replace(/\D/g, "");
    if (digits.length >= 6) forms.add(digits);
  }
  return [...forms];
}

function hits(where: string, text: string, forms: readonly string[]): string[] {
  return forms.filter((f) => text.includes(f)).map((f) => `${where}: ${JSON.stringify(f)}`);
}

/** Both readings of stored bytes: UTF-8 (names in Chinese) and Latin-1 (anything binary). */
const readings = (b: Buffer) => `${b.toString("utf8")}\n${b.toString("latin1")}`;

export async function scanRedis(prefix: string, values: readonly string[]): Promise<{ keys: number; found: string[] }> {
  const forms = formsOf(values);
  const r = new Redis(TEST_REDIS_URL);
  const found: string[] = [];
  let keys = 0;
  try {
    let cursor = "0";
    do {
      const [next, batch] = await r.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      for (const key of batch) {
        keys++;
        const type = await r.type(key);
        let parts: Buffer[] = [];
        if (type === "string") parts = [(await r.getBuffer(key))!];
        else if (type === "hash") parts = await r.hgetallBuffer(key).then((h) => Object.entries(h).flatMap(([k, v]) => [Buffer.from(k), v]));
        else if (type === "list") parts = await r.lrangeBuffer(key, 0, -1);
        else if (type === "set") parts = await r.smembersBuffer(key);
        else if (type === "zset") parts = await r.zrangeBuffer(key, "0", "-1");
        else if (type === "stream") parts = (await r.xrangeBuffer(key, "-", "+")).flatMap(([id, fields]) => [id, ...fields]);
        found.push(...hits(`redis ${key} (${type})`, [Buffer.from(key), ...parts].map(readings).join("\n"), forms));
      }
    } while (cursor !== "0");
  } finally {
    r.disconnect();
  }
  return { keys, found };
}

export function scanText(where: string, text: string, values: readonly string[]): string[] {
  return hits(where, text, formsOf(values));
}

/** A full dump (schema and data) of the given schemas of the test database. */
export function pgDump(schemas: readonly string[]): string {
  const url = new URL(TEST_DATABASE_URL);
  const args = ["-h", url.hostname, "-p", url.port || "5432", "-U", decodeURIComponent(url.username || "postgres"), ...schemas.flatMap((s) => ["-n", s]), url.pathname.slice(1)];
  const r = spawnSync("pg_dump", args, { encoding: "buffer", maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`pg_dump failed: ${r.stderr.toString()}`);
  return readings(r.stdout);
}
