import type { UpdateQueue } from "./update-queue";
import type { LoggerLike, Params, Update } from "./types";

export interface WebhookConfig {
  url: string;
  secretToken?: string;
  maxConnections: number;
}

/** A method call returned in a webhook response body (Telegram's "webhook reply"). */
export type WebhookReplyRunner = (method: string, params: Params) => Promise<void>;

const MAX_BACKOFF_MS = 5_000;
const DELIVERY_TIMEOUT_MS = 60_000;

/**
 * Pushes a bot's pending updates to its webhook, up to max_connections at a time.
 * A non-2xx answer or a network error puts the update back and pauses delivery with
 * exponential backoff (100 ms doubling to 5 s), like Telegram's retries.
 */
export class WebhookDelivery {
  lastErrorDate?: number;
  lastErrorMessage?: string;
  private inflight = 0;
  private failures = 0;
  private retryAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly config: WebhookConfig,
    private readonly queue: UpdateQueue,
    private readonly runReply: WebhookReplyRunner,
    private readonly logger: LoggerLike,
    /** Called when an update goes back to the queue after delivery stopped (polling may take it). */
    private readonly onRequeue: () => void,
  ) {}

  get pendingCount(): number {
    return this.queue.size + this.inflight;
  }

  kick(): void {
    if (this.stopped) return;
    const wait = this.retryAt - Date.now();
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait);
      return;
    }
    while (this.inflight < this.config.maxConnections) {
      const u = this.queue.shift();
      if (!u) return;
      this.inflight += 1;
      void this.deliver(u);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort.abort();
  }

  private async deliver(u: Update): Promise<void> {
    const epoch = this.queue.epoch;
    let reply: { contentType: string | null; body: string } | undefined;
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (this.config.secretToken) headers["x-telegram-bot-api-secret-token"] = this.config.secretToken;
      const res = await fetch(this.config.url, {
        method: "POST",
        headers,
        body: JSON.stringify(u),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]),
      });
      const body = await res.text();
      if (res.status < 200 || res.status > 299) throw new Error(`Wrong response from the webhook: ${res.status} ${res.statusText}`);
      reply = { contentType: res.headers.get("content-type"), body };
    } catch (err) {
      this.inflight -= 1;
      if (epoch === this.queue.epoch) this.queue.insertSorted(u);
      if (this.stopped) {
        this.onRequeue();
        return;
      }
      this.failures += 1;
      this.lastErrorDate = Math.floor(Date.now() / 1000);
      this.lastErrorMessage = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      this.retryAt = Date.now() + Math.min(100 * 2 ** (this.failures - 1), MAX_BACKOFF_MS);
      this.logger.debug({ update_id: u.update_id, err: this.lastErrorMessage }, "webhook delivery failed; will retry");
      this.kick();
      return;
    }
    this.failures = 0;
    this.inflight -= 1;
    this.kick();
    await this.maybeRunReply(reply.contentType, reply.body);
  }

  private async maybeRunReply(contentType: string | null, body: string): Promise<void> {
    if (!contentType?.includes("json") || body.length === 0) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof parsed !== "object" || parsed === null) return;
    const { method, ...params } = parsed as Params;
    if (typeof method !== "string") return;
    try {
      await this.runReply(method, params);
    } catch (err) {
      this.logger.debug({ method, err: err instanceof Error ? err.message : String(err) }, "webhook reply failed");
    }
  }
}
