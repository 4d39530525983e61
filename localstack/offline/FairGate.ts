/**
 * The local stand-in for a function's concurrency shared by several event
 * sources: at most `capacity` invocations at once, and when one ends, the
 * next goes to the source after the last one served, round the sources that
 * have a message waiting (round robin, one turn each). A source alone gets
 * every slot; two busy sources get half each, however many messages either
 * has queued. The offline SQS pollers of the batch-chunk function take a slot
 * after receiving a task and give it back when the invocation ends.
 *
 * @example
 * const gate = new FairGate(4);
 * await gate.acquire('mysimbdp-local-chunks-zoo');
 * try { await invoke(); } finally { gate.release(); }
 */
export class FairGate {
  private busy = 0;
  /** Waiting acquirers by source, and the sources with waiters in the order their turn comes. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly turns: string[] = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`a gate needs a capacity of at least 1, not ${capacity}`);
  }

  /** Invocations running now. */
  get running(): number {
    return this.busy;
  }

  /** Acquirers waiting for a slot, by source. */
  queued(): Map<string, number> {
    return new Map([...this.waiting].map(([source, waiters]) => [source, waiters.length]));
  }

  /** Resolves once the source may invoke: at once when a slot is free and nobody waits, else on its turn. */
  acquire(source: string): Promise<void> {
    if (this.busy < this.capacity && this.turns.length === 0) {
      this.busy += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const waiters = this.waiting.get(source);
      if (waiters) waiters.push(resolve);
      else {
        this.waiting.set(source, [resolve]);
        this.turns.push(source);
      }
    });
  }

  /** Gives a slot back: to the next source in turn with a waiter, if any. */
  release(): void {
    if (this.busy === 0) throw new Error('a gate released more often than acquired');
    const source = this.turns.shift();
    if (source === undefined) {
      this.busy -= 1;
      return;
    }
    const waiters = this.waiting.get(source) ?? [];
    const next = waiters.shift();
    if (waiters.length > 0) this.turns.push(source);
    else this.waiting.delete(source);
    next?.();
  }
}
