import { Redis } from "ioredis";
import { setupDatabase } from "../../core/db/setup";
import { TEST_DATABASE_URL, TEST_REDIS_URL } from "./env";

/**
 * Runs once before all test files: the test database exists and is migrated, and
 * Redis answers. Test files isolate themselves (own schema, own key prefix).
 */
export default async function setup(): Promise<void> {
  await setupDatabase(TEST_DATABASE_URL);
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
