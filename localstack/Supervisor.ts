import { setTimeout as sleep } from 'node:timers/promises';
import { backoff } from '../layers/platform/src';

/** Something `npm start` keeps running: a service of the local cloud, or a platform process. */
export interface Supervised {
  readonly name: string;
  /** False once it has died (its process is gone), not when it is merely slow to answer. */
  alive(): Promise<boolean>;
  /** Starts it again and gives back what it lost; resolves once it serves. */
  revive(): Promise<void>;
}

export interface SupervisorOptions {
  readonly intervalMs?: number;
  /** Checks in a row that must find it dead before it is restarted (a process being replaced is not a death). */
  readonly confirmChecks?: number;
  /** Longest wait between two failed restarts. */
  readonly maxBackoffMs?: number;
}

/**
 * Keeps what `npm start` started running: checks each every couple of
 * seconds, and when one has died says so, restarts it (giving back what it
 * lost, e.g. LocalStack's queues) and says when it is back. A restart that
 * fails is tried again with a growing delay; the others carry on meanwhile.
 *
 * @example
 * const supervisor = new Supervisor([supervisedProcess('bridge', bridge)], console.log);
 * supervisor.watch();
 */
export class Supervisor {
  private readonly misses = new Map<string, number>();
  private readonly reviving = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** How many restarts each needed, for the log and the tests. */
  readonly restarts = new Map<string, number>();

  constructor(
    private readonly items: readonly Supervised[],
    private readonly say: (message: string) => void,
    private readonly options: SupervisorOptions = {},
  ) {}

  watch(): void {
    const tick = async (): Promise<void> => {
      await Promise.all(this.items.filter((item) => !this.reviving.has(item.name)).map((item) => this.check(item)));
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.intervalMs ?? 2000);
    };
    this.timer = setTimeout(() => void tick(), this.options.intervalMs ?? 2000);
  }

  /** Stops watching (before stopping what it watches, so that nothing is restarted on the way down). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Waits until nothing is being restarted (tests). */
  async settled(): Promise<void> {
    while (this.reviving.size) await sleep(100);
  }

  private async check(item: Supervised): Promise<void> {
    if (await item.alive().catch(() => false)) {
      this.misses.set(item.name, 0);
      return;
    }
    const misses = (this.misses.get(item.name) ?? 0) + 1;
    this.misses.set(item.name, misses);
    if (misses >= (this.options.confirmChecks ?? 2) && !this.stopped) void this.revive(item);
  }

  private async revive(item: Supervised): Promise<void> {
    this.reviving.add(item.name);
    const begin = Date.now();
    this.say(`${item.name} died; restarting it`);
    try {
      for (let failures = 0; !this.stopped; failures += 1) {
        try {
          await item.revive();
          this.restarts.set(item.name, (this.restarts.get(item.name) ?? 0) + 1);
          this.misses.set(item.name, 0);
          this.say(`${item.name} is back after ${((Date.now() - begin) / 1000).toFixed(1)} s`);
          return;
        } catch (error) {
          const wait = backoff({ attempt: failures, base: 2000, max: this.options.maxBackoffMs ?? 60_000 });
          this.say(`${item.name} could not be restarted (${(error as Error).message.split('\n')[0]}); trying again in ${wait / 1000} s`);
          await sleep(wait);
        }
      }
    } finally {
      this.reviving.delete(item.name);
    }
  }
}
