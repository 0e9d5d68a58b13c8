import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export * from "./generated/client";

/** One client per process, created by the entry file and passed down (no import-time singletons). */
export function createDb(databaseUrl: string, opts: { max?: number; schema?: string } = {}): Db {
  const adapter = new PrismaPg(
    { connectionString: databaseUrl, max: opts.max ?? 10 },
    opts.schema ? { schema: opts.schema } : undefined,
  );
  return new PrismaClient({ adapter });
}
