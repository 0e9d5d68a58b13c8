import { ApiError, SandboxError } from "./types";

/**
 * Injected failures: "the next N calls of method M (optionally only for chat C) fail
 * with this Telegram-shaped error". Lets tests drive 429/403/5xx handling on demand.
 */
export interface Fault {
  method: string;
  errorCode: number;
  description: string;
  retryAfter?: number;
  remaining: number;
  chatId?: string;
}

const DEFAULT_DESCRIPTIONS: Record<number, string> = {
  400: "Bad Request: injected fault",
  401: "Unauthorized",
  403: "Forbidden: bot was blocked by the user",
  404: "Not Found",
  409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  500: "Internal Server Error",
  502: "Bad Gateway",
};

export function parseFault(body: unknown): Fault {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new SandboxError(400, "body must be a JSON object");
  const b = body as Record<string, unknown>;
  if (typeof b.method !== "string" || !/^(\*|[A-Za-z]{2,64})$/.test(b.method)) {
    throw new SandboxError(400, 'method must be a Bot API method name (or "*")');
  }
  const code = b.error_code;
  if (typeof code !== "number" || !Number.isInteger(code) || code < 400 || code > 599) {
    throw new SandboxError(400, "error_code must be an integer 400..599 (e.g. 429, 400, 403, 500)");
  }
  const times = b.times ?? 1;
  if (typeof times !== "number" || !Number.isInteger(times) || times < 1) throw new SandboxError(400, "times must be a positive integer");
  let retryAfter: number | undefined;
  if (code === 429 || b.retry_after !== undefined) {
    const ra = b.retry_after ?? 1;
    if (typeof ra !== "number" || !Number.isInteger(ra) || ra < 0) throw new SandboxError(400, "retry_after must be a non-negative integer");
    retryAfter = ra;
  }
  if (b.description !== undefined && typeof b.description !== "string") throw new SandboxError(400, "description must be a string");
  if (b.chat_id !== undefined && !((typeof b.chat_id === "number" && Number.isInteger(b.chat_id)) || typeof b.chat_id === "string")) {
    throw new SandboxError(400, "chat_id must be an integer");
  }
  const description = typeof b.description === "string"
    ? b.description
    : code === 429
      ? `Too Many Requests: retry after ${retryAfter ?? 1}`
      : DEFAULT_DESCRIPTIONS[code] ?? (code >= 500 ? "Internal Server Error" : "Bad Request: injected fault");
  return {
    method: b.method.toLowerCase(),
    errorCode: code,
    description,
    retryAfter,
    remaining: times,
    chatId: b.chat_id === undefined ? undefined : String(b.chat_id),
  };
}

export class Faults {
  private faults: Fault[] = [];

  get size(): number {
    return this.faults.length;
  }

  add(fault: Fault): void {
    this.faults.push(fault);
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** Consumes one matching fault, if any, and returns the error to answer with. */
  take(method: string, chatId: unknown): ApiError | undefined {
    if (this.faults.length === 0) return undefined;
    const m = method.toLowerCase();
    const chat = chatId === undefined || chatId === null ? undefined : String(chatId);
    const idx = this.faults.findIndex((f) => (f.method === m || f.method === "*") && (f.chatId === undefined || f.chatId === chat));
    const f = this.faults[idx];
    if (!f) return undefined;
    f.remaining -= 1;
    if (f.remaining <= 0) this.faults.splice(idx, 1);
    return new ApiError(f.errorCode, f.description, f.retryAfter === undefined ? undefined : { retry_after: f.retryAfter });
  }
}
