/**
 * Why staff reject a case. Each code has a label for staff (`staff-reject-<code>`) and a
 * sentence for the seller that says what they can do (`staff-seller-reject-<code>`).
 * The codes travel in callback data (64 bytes with the case id), so they stay short.
 */
export const REJECT_REASONS = ["face-mismatch", "document-invalid", "document-unreadable", "identity-in-use", "suspected-fraud"] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export function isRejectReason(x: unknown): x is RejectReason {
  return typeof x === "string" && (REJECT_REASONS as readonly string[]).includes(x);
}

/**
 * Reasons staff put on a case they send back to the seller; the seller's retake button
 * then opens the dialog at the right step, and /status shows the sentence.
 */
export const STAFF_RETAKE_REASONS = { retake: "staff-retake", new_document: "staff-new-document" } as const;
