/**
 * Wakes waiters (long polls) when something happens. Event-driven on purpose: a poll
 * that waits sleeps on a promise and a timer, never on a loop.
 */
export interface Wait {
  /** true = notified, false = timed out, cancelled or shut down */
  promise: Promise<boolean>;
  cancel(): void;
}

export class Notifier {
  private readonly waiters = new Set<(notified: boolean) => void>();

  get size(): number {
    return this.waiters.size;
  }

  wait(timeoutMs: number): Wait {
    let settle!: (notified: boolean) => void;
    const promise = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => settle(false), Math.max(0, timeoutMs));
      settle = (notified) => {
        if (!this.waiters.delete(settle)) return;
        clearTimeout(timer);
        resolve(notified);
      };
      this.waiters.add(settle);
    });
    return { promise, cancel: () => settle(false) };
  }

  notify(): void {
    for (const settle of [...this.waiters]) settle(true);
  }

  /** Ends every wait as "not notified" (shutdown). */
  releaseAll(): void {
    for (const settle of [...this.waiters]) settle(false);
  }
}
