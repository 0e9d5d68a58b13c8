import type { Redis } from "ioredis";
import type { VersionedState, ConversationData } from "@grammyjs/conversations";

/**
 * Conversation replay logs in Redis, so a dialog survives a restart (even SIGKILL).
 * Abandoned dialogs expire after `ttlSeconds`.
 */
export function redisConversationStorage(redis: Redis, prefix: string, ttlSeconds = 7 * 24 * 3600) {
  const k = (key: string) => `${prefix}:conv:${key}`;
  return {
    type: "key" as const,
    version: 1,
    adapter: {
      async read(key: string): Promise<VersionedState<ConversationData> | undefined> {
        const raw = await redis.get(k(key));
        return raw ? (JSON.parse(raw) as VersionedState<ConversationData>) : undefined;
      },
      async write(key: string, state: VersionedState<ConversationData>): Promise<void> {
        await redis.set(k(key), JSON.stringify(state), "EX", ttlSeconds);
      },
      async delete(key: string): Promise<void> {
        await redis.del(k(key));
      },
    },
  };
}
