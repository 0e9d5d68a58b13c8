import type { Update } from "./types";

/**
 * Pending updates of one bot, oldest first. Array + head index: push/shift are O(1);
 * capped so a bot that never polls cannot grow memory without limit (Telegram too
 * forgets unconfirmed updates, after 24 h).
 */
export class UpdateQueue {
  private items: Update[] = [];
  private head = 0;
  /** Bumped by clear(): late webhook failures must not re-insert into a reset queue. */
  epoch = 0;

  constructor(private readonly cap: number) {}

  get size(): number {
    return this.items.length - this.head;
  }

  push(u: Update): void {
    this.items.push(u);
    if (this.size > this.cap) this.head += 1;
    this.compact();
  }

  shift(): Update | undefined {
    if (this.head >= this.items.length) return undefined;
    const u = this.items[this.head];
    this.head += 1;
    this.compact();
    return u;
  }

  /** Drops updates with update_id < offset (getUpdates confirmation). */
  dropBelow(offset: number): void {
    while (this.head < this.items.length && (this.items[this.head] as Update).update_id < offset) this.head += 1;
    this.compact();
  }

  /** getUpdates with a negative offset -n: forget all but the last n. */
  keepLast(n: number): void {
    this.head = Math.max(this.head, this.items.length - n);
    this.compact();
  }

  peek(limit: number): Update[] {
    return this.items.slice(this.head, this.head + limit);
  }

  /** Puts back an update whose webhook delivery failed, in update_id order. */
  insertSorted(u: Update): void {
    let i = this.head;
    while (i < this.items.length && (this.items[i] as Update).update_id < u.update_id) i += 1;
    this.items.splice(i, 0, u);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.epoch += 1;
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
