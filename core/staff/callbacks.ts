import { isRejectReason, type RejectReason } from "./reasons";

/**
 * Callback data of the staff buttons: "st:<verb>:<case id>[:<reason>]", or
 * "st:queue:<page>". Telegram allows 64 bytes; the longest ("st:rj:<uuid>:document-unreadable")
 * takes 62. Anything else, forged or from an old version, parses to null.
 */
export const CASE_VERBS = ["claim", "release", "approve", "reject", "rj", "back", "retake", "newdoc", "reveal", "open"] as const;
export type CaseVerb = (typeof CASE_VERBS)[number];

export type StaffCallback =
  | { verb: Exclude<CaseVerb, "rj">; caseId: string }
  | { verb: "rj"; caseId: string; reason: RejectReason }
  | { verb: "queue"; page: number };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const STAFF_CALLBACK_PREFIX = "st:";

export function caseCallback(verb: Exclude<CaseVerb, "rj">, caseId: string): string {
  return `st:${verb}:${caseId}`;
}

export function rejectCallback(caseId: string, reason: RejectReason): string {
  return `st:rj:${caseId}:${reason}`;
}

export function queueCallback(page: number): string {
  return `st:queue:${page}`;
}

export function parseStaffCallback(data: string | undefined): StaffCallback | null {
  if (!data?.startsWith(STAFF_CALLBACK_PREFIX)) return null;
  const [, verb, target, extra, ...rest] = data.split(":");
  if (rest.length || target === undefined) return null;
  if (verb === "queue") return extra === undefined && /^\d{1,4}$/.test(target) ? { verb, page: Number(target) } : null;
  if (!UUID.test(target) || !(CASE_VERBS as readonly string[]).includes(verb ?? "")) return null;
  if (verb === "rj") return isRejectReason(extra) ? { verb, caseId: target, reason: extra } : null;
  return extra === undefined ? { verb: verb as Exclude<CaseVerb, "rj">, caseId: target } : null;
}
