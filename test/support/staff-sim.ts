import type { SandboxFrom, SandboxMessage, StandInClient } from "./stand-in-client";

type InlineMarkup = { inline_keyboard?: { text: string; callback_data?: string }[][] };

export const buttonsOf = (m: SandboxMessage) => ((m.reply_markup as InlineMarkup | undefined)?.inline_keyboard ?? []).flat();
export const bodyOf = (m: SandboxMessage) => m.text ?? m.caption ?? "";

/**
 * The staff group as its members see it, through the sandbox control API only:
 * the bot's messages in the group (cards are edited in place, so they are read by id,
 * not by arrival), and members who type commands and press buttons there.
 */
export class GroupSim {
  private seen = 0;

  constructor(
    readonly client: StandInClient,
    readonly chatId: number,
  ) {}

  /** Every bot message in the group, as it is now (edits applied). */
  all(): Promise<SandboxMessage[]> {
    return this.client.messages(this.chatId, { after: 0 });
  }

  /** Waits until a bot message satisfies `pred` (a new one, or an old one edited into shape). */
  async waitFor(pred: (m: SandboxMessage) => boolean, what: string, timeoutMs = 10_000): Promise<SandboxMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const msgs = await this.all();
      const hit = msgs.find(pred);
      if (hit) return hit;
      if (Date.now() > deadline) {
        throw new Error(`staff group: no message ${what} within ${timeoutMs} ms; have: ${msgs.map((m) => `#${m.message_id} ${JSON.stringify(bodyOf(m).slice(0, 50))}`).join(", ") || "(none)"}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The card of a case (it names the case id on its last line). */
  card(caseId: string, pred: (m: SandboxMessage) => boolean = () => true, timeoutMs?: number): Promise<SandboxMessage> {
    return this.waitFor((m) => bodyOf(m).includes(caseId) && buttonsOrText(m) && pred(m), `for case ${caseId}`, timeoutMs);
  }

  /** Bot messages newer than the last call (or than `after`). */
  async fresh(after?: number): Promise<SandboxMessage[]> {
    const msgs = await this.client.messages(this.chatId, { after: after ?? this.seen });
    if (msgs.length) this.seen = Math.max(this.seen, ...msgs.map((m) => m.message_id));
    return msgs;
  }

  async mark(): Promise<number> {
    await this.fresh();
    return this.seen;
  }

  member(userId: number, from: SandboxFrom = {}): Member {
    return new Member(this, userId, { first_name: `Staff${userId}`, language_code: "en", ...from });
  }
}

const buttonsOrText = (m: SandboxMessage) => m.text !== undefined || m.caption !== undefined;

export class Member {
  constructor(
    readonly group: GroupSim,
    readonly userId: number,
    readonly from: SandboxFrom,
  ) {}

  /**
   * A command or message in the group (`replyTo`: as a reply to that message); returns the
   * bot's answer, which quotes it (cards and alerts arriving meanwhile are not answers).
   */
  async say(text: string, opts: { replyTo?: number; answer?: (m: SandboxMessage) => boolean } = {}): Promise<SandboxMessage> {
    const sent = await this.group.client.send(this.userId, {
      text,
      chat_id: this.group.chatId,
      from: this.from,
      ...(opts.replyTo ? { reply_to_message_id: opts.replyTo } : {}),
    });
    const isAnswer = opts.answer ?? ((m: SandboxMessage) => m.reply_to_message_id === sent.message_id);
    return this.group.waitFor((m) => m.message_id > sent.message_id && isAnswer(m), `answering ${JSON.stringify(text)}`);
  }

  /** Presses a button of a group message and returns the toast the bot answered with. */
  async press(messageId: number, data: string): Promise<string | undefined> {
    const prior = await this.group.client.callbackAnswers(this.group.chatId);
    const after = prior.at(-1)?.seq ?? 0;
    await this.group.client.press(this.userId, messageId, data, { chat_id: this.group.chatId, from: this.from });
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answers = await this.group.client.callbackAnswers(this.group.chatId, { after, wait: 2 });
      const mine = answers.find((a) => a.callback_data === data && a.message_id === messageId);
      if (mine) return mine.text;
      if (Date.now() > deadline) throw new Error(`no answer to ${data} on #${messageId}`);
    }
  }
}
