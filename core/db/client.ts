import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export * from "./generated/client";

/** One client per process, created by the entry file and passed down (no import-time singletons). */
export function createDb(databaseUrl: string, opts: { max?: number; schema?: string } = {}): Db {
  // A schema of its own (tests, benches): Prisma's queries name it; raw SQL finds it on the search_path.
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: opts.max ?? 10, ...(opts.schema ? { options: `-c search_path="${opts.schema}"` } : {}) },
    opts.schema ? { schema: opts.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
