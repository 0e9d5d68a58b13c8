import type { Redis } from "ioredis";
import type { VersionedState, ConversationData } from "@grammyjs/conversations";
import type { PiiCrypto } from "../core/crypto";

/**
 * Conversation replay logs in Redis, so a dialog survives a restart (even SIGKILL).
 * The log holds every update the dialog waited for (the typed name, the ID number,
 * the shared contact), so it is sealed like any identity value: AES-256-GCM with the
 * PII key, bound to its Redis key (a log copied under another user's key does not
 * open). Abandoned dialogs expire after `ttlSeconds`.
 */
export function redisConversationStorage(redis: Redis, prefix: string, crypto: PiiCrypto, ttlSeconds = 7 * 24 * 3600) {
  const k = (key: string) => `${prefix}:conv:${key}`;
  return {
    type: "key" as const,
    version: 1,
    adapter: {
      async read(key: string): Promise<VersionedState<ConversationData> | undefined> {
        const raw = await redis.getBuffer(k(key));
        if (!raw) return undefined;
        // A log written before sealing (plain JSON) is read once; its next write seals it.
        const json = raw[0] === 0x7b ? raw.toString("utf8") : crypto.openText(raw, k(key));
        return JSON.parse(json) as VersionedState<ConversationData>;
      },
      async write(key: string, state: VersionedState<ConversationData>): Promise<void> {
        await redis.set(k(key), crypto.seal(JSON.stringify(state), k(key)), "EX", ttlSeconds);
      },
      async delete(key: string): Promise<void> {
        await redis.del(k(key));
      },
    },
  };
}

/** Forgets a user's dialog outright (/deleteme): the replay log and everything it holds. */
export async function deleteConversation(redis: Redis, prefix: string, chatId: number): Promise<void> {
  await redis.del(`${prefix}:conv:${chatId}`);
}
