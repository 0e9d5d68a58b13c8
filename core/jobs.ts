import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";

/**
 * Job contracts shared by producers (bot, CLIs) and workers. Job data holds ids
 * only: no photos, no ID numbers, no tokens (Redis is not the place for PII).
 * Payloads are validated when enqueued AND when taken, because producer and
 * worker may run different versions.
 */

export const QUEUES = {
  /** one job per selfie submission: the photo checks */
  verify: "verify",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const verifyJobSchema = z.object({
  submissionId: z.uuid(),
  caseId: z.uuid(),
});
export type VerifyJob = z.infer<typeof verifyJobSchema>;

/** BullMQ refuses ':' and integer-like ids; a uuid prefixed by the job kind is neither. */
export function verifyJobId(submissionId: string): string {
  return `verify-${submissionId}`;
}

export const verifyJobOptions: JobsOptions = {
  attempts: 5,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createVerifyQueue(connection: Redis, prefix: string): Queue<VerifyJob> {
  return new Queue<VerifyJob>(QUEUES.verify, { connection, prefix, defaultJobOptions: verifyJobOptions });
}

export async function enqueueVerify(queue: Queue<VerifyJob>, data: VerifyJob): Promise<void> {
  const payload = verifyJobSchema.parse(data);
  // Same jobId for the same submission: a retried enqueue is a no-op.
  await queue.add("verify-selfie", payload, { jobId: verifyJobId(payload.submissionId) });
}
