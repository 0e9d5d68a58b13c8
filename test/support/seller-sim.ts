import type { SandboxMessage, SendBody, StandInClient } from "./stand-in-client";

type InlineMarkup = { inline_keyboard?: { text: string; callback_data?: string }[][] };

/**
 * One simulated seller talking to the bot through the sandbox control API only
 * (the same HTTP an outside script would use). Keeps a cursor over the bot's
 * messages in the private chat, so each step waits for exactly what it caused.
 */
export class SellerSim {
  private seen = 0;
  private inbox: SandboxMessage[] = [];

  constructor(
    readonly client: StandInClient,
    readonly userId: number,
    readonly from: { first_name?: string; language_code?: string } = {},
  ) {}

  async send(body: SendBody): Promise<void> {
    await this.client.send(this.userId, { ...body, from: this.from } as SendBody);
  }

  text(text: string) {
    return this.send({ text });
  }

  /** Presses the button with this callback data on the given (default: newest) bot message that has it. */
  async press(data: string, onMessage?: number): Promise<void> {
    const id = onMessage ?? this.lastWithButton(data)?.message_id;
    if (id === undefined) throw new Error(`no message with button ${data}; last messages: ${this.describe()}`);
    await this.client.press(this.userId, id, data, { from: this.from });
  }

  /** The next bot message (in order), waiting up to timeoutMs for it. */
  async next(timeoutMs = 10_000): Promise<SandboxMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`user ${this.userId}: no bot message within ${timeoutMs} ms; seen so far: ${this.describe()}`);
      const msgs = await this.client.messages(this.userId, { after: this.seen, wait: Math.max(1, Math.ceil(Math.min(left, 10_000) / 1000)) });
      for (const m of msgs) {
        if (m.message_id > this.seen) {
          this.inbox.push(m);
          this.history.push(m);
        }
      }
      if (msgs.length) this.seen = Math.max(this.seen, ...msgs.map((m) => m.message_id));
    }
    return this.inbox.shift()!;
  }

  readonly history: SandboxMessage[] = [];

  /** Skips messages until one whose text/caption equals `expected` (or matches it); fails on timeout. */
  async expect(expected: string | RegExp, timeoutMs = 10_000): Promise<SandboxMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.next(Math.max(1, deadline - Date.now()));
      const body = m.text ?? m.caption ?? "";
      if (typeof expected === "string" ? body === expected : expected.test(body)) return m;
    }
  }

  /** Asserts that no further bot message arrives within `ms`. */
  async expectSilence(ms = 700): Promise<void> {
    const msgs = await this.client.messages(this.userId, { after: this.seen, wait: 0 });
    await new Promise((r) => setTimeout(r, ms));
    const later = await this.client.messages(this.userId, { after: this.seen, wait: 0 });
    const extra = [...msgs, ...later].filter((m) => m.message_id > this.seen);
    if (extra.length || this.inbox.length) throw new Error(`expected silence, got: ${[...this.inbox, ...extra].map((m) => m.text).join(" | ")}`);
  }

  /** Drains everything received so far without asserting. */
  async drain(): Promise<void> {
    const msgs = await this.client.messages(this.userId, { after: this.seen, wait: 0 });
    if (msgs.length) this.seen = Math.max(this.seen, ...msgs.map((m) => m.message_id));
    this.history.push(...msgs);
    this.inbox = [];
  }

  buttons(m: SandboxMessage): string[] {
    const kb = (m.reply_markup as InlineMarkup | undefined)?.inline_keyboard ?? [];
    return kb.flat().map((b) => b.callback_data ?? "");
  }

  private lastWithButton(data: string): SandboxMessage | undefined {
    return [...this.history].reverse().find((m) => this.buttons(m).includes(data));
  }

  private describe(): string {
    return this.history.slice(-4).map((m) => `#${m.message_id} ${JSON.stringify((m.text ?? m.caption ?? "").slice(0, 60))}`).join(", ") || "(none)";
  }
}
