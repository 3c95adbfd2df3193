interface Waiter {
  readonly seq: number;
  readonly resolve: (delivered: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Callers of `flush()` and `stop()` waiting for every packet up to a sequence number to leave the
 * queue (sent or dropped). The sender owns one and tells it, after every change, which packet is
 * the oldest still pending.
 */
export class DeliveryWaiters {
  #waiters: Waiter[] = [];

  /** Whether anybody is waiting: when nobody is, the sender need not look for the oldest packet. */
  get empty(): boolean {
    return this.#waiters.length === 0;
  }

  /**
   * Resolves `true` once {@link DeliveryWaiters.release} is told that every packet up to `seq`
   * has left, or `false` after `timeout` milliseconds. The timer is not unref'd: a caller
   * awaiting delivery keeps the process alive for that long at most.
   */
  wait(seq: number, timeout: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiter: Waiter = { seq, resolve, timer: undefined };
      waiter.timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        resolve(false);
      }, timeout);
      this.#waiters.push(waiter);
    });
  }

  /** Resolves `true` for every waiter whose packets all left: those below `oldestPending`. */
  release(oldestPending: number): void {
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.seq < oldestPending) {
        clearTimeout(waiter.timer);
        waiter.resolve(true);
      } else {
        waiting.push(waiter);
      }
    }
    this.#waiters = waiting;
  }

  /** Resolves `false` for every waiter now: nothing more will be delivered. */
  giveUp(): void {
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.#waiters = [];
  }
}
