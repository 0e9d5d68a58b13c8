import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaConfig } from "prisma";

// Offline-safe Prisma 6.19: JavaScript schema engine + pg driver adapter (see ../shared/OFFLINE.md).
const url = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/shiren";
process.env.DATABASE_URL = url;
// `?schema=` selects a PostgreSQL schema (tests migrate one schema per file); pg itself does not know the parameter.
const parsed = new URL(url);
const schema = parsed.searchParams.get("schema") ?? undefined;
parsed.searchParams.delete("schema");

export default {
  schema: "prisma/schema.prisma",
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPg(
      // The CLI never closes its pool: let an idle pool end the process (else every run lingers 10 s).
      { connectionString: parsed.toString(), allowExitOnIdle: true },
      schema ? { schema } : undefined),
} satisfies PrismaConfig;
