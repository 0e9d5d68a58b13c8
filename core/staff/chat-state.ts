import type { Redis } from "ioredis";

/**
 * When the bot last failed to post in the staff group (it was removed, or the group is
 * gone). While that is recent the sweep retries waiting alerts every few minutes
 * instead of every minute; nothing is dropped, the cases stay open in the database.
 * Cleared when the bot is back (my_chat_member) or a post goes through.
 */
const key = (prefix: string) => `${prefix}:staff:chat-failed-at`;

export async function noteStaffChatFailure(redis: Redis, prefix: string, at: Date): Promise<void> {
  await redis.set(key(prefix), String(at.getTime()));
}

export async function clearStaffChatFailure(redis: Redis, prefix: string): Promise<boolean> {
  return (await redis.del(key(prefix))) > 0;
}

export async function staffChatFailedAt(redis: Redis, prefix: string): Promise<Date | null> {
  const v = await redis.get(key(prefix));
  return v ? new Date(Number(v)) : null;
}
