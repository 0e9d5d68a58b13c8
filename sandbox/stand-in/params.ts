import { badRequest, type Params } from "./types";

/**
 * Bot API parameters arrive as JSON, urlencoded or multipart: numbers may be strings,
 * objects may be JSON strings. These readers accept all shapes, like Telegram does.
 */
export function optInt(params: Params, key: string): number | undefined {
  const v = params[key];
  if (v === undefined || v === null || v === "") return undefined;
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${key} specified`);
  return n;
}

export function optStr(params: Params, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw badRequest(`invalid ${key} specified`);
}

export function optBool(params: Params, key: string): boolean {
  const v = params[key];
  return v === true || v === "true" || v === 1 || v === "1";
}

export function optJson(params: Params, key: string): unknown {
  const v = params[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    throw badRequest(`can't parse ${key} JSON object`);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
