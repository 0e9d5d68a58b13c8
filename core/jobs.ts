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
  /** the photo checks: one job per selfie submission, and one per ID document (its portrait, embedded once) */
  verify: "verify",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const verifyJobSchema = z.object({
  submissionId: z.uuid(),
  caseId: z.uuid(),
});
export type VerifyJob = z.infer<typeof verifyJobSchema>;
export const VERIFY_SELFIE = "verify-selfie";

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

export function createVerifyQueue(connection: Redis, prefix: string): Queue<CheckJob> {
  return new Queue<CheckJob>(QUEUES.verify, { connection, prefix, defaultJobOptions: verifyJobOptions });
}

export async function enqueueVerify(queue: Queue<CheckJob>, data: VerifyJob): Promise<void> {
  const payload = verifyJobSchema.parse(data);
  // Same jobId for the same submission: a retried enqueue is a no-op.
  await queue.add(VERIFY_SELFIE, payload, { jobId: verifyJobId(payload.submissionId) });
}

export const embedDocumentJobSchema = z.object({ photoId: z.uuid() });
export type EmbedDocumentJob = z.infer<typeof embedDocumentJobSchema>;
export const EMBED_DOCUMENT = "embed-document";

/**
 * The ID portrait is embedded as soon as the photo arrives (~160 ms of model time),
 * so the selfie check that follows a minute later only compares. Same queue as the
 * checks (the same models), its own job name.
 */
export async function enqueueEmbedDocument(queue: Queue<CheckJob>, data: EmbedDocumentJob): Promise<void> {
  const payload = embedDocumentJobSchema.parse(data);
  await queue.add(EMBED_DOCUMENT, payload, { jobId: `embed-${payload.photoId}` });
}

/** What the verify queue carries; the job name says which. */
export type CheckJob = VerifyJob | EmbedDocumentJob;
