import { randomBytes } from "node:crypto";
import pg from "pg";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createDb, type Db } from "../../core/db/client";
import { TEST_DATABASE_URL } from "./env";

const MIGRATIONS = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/**
 * Applies the committed migrations inside one schema. `prisma migrate deploy`
 * cannot target a non-public schema through the pg adapter (it finds
 * public._prisma_migrations), so tests run the same SQL files directly.
 */
async function migrateSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query(`create schema "${schema}"`);
    await c.query(`set search_path to "${schema}"`);
    for (const dir of readdirSync(MIGRATIONS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
      await c.query(readFileSync(`${MIGRATIONS}/${dir}/migration.sql`, "utf8").replace(/CREATE SCHEMA IF NOT EXISTS "public";/g, ""));
    }
  } finally {
    await c.end();
  }
}

/** A freshly migrated PostgreSQL schema of its own for one test file; dropped by `drop()`. */
export async function isolatedDb(): Promise<{ db: Db; schema: string; url: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(5).toString("hex")}`;
  await migrateSchema(schema);
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("schema", schema);
  const db = createDb(TEST_DATABASE_URL, { schema });
  return {
    db,
    schema,
    url: url.toString(),
    async drop() {
      await db.$disconnect();
      const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await c.connect();
      await c.query(`drop schema if exists "${schema}" cascade`);
      await c.end();
    },
  };
}
