import { setTimeout as sleep } from 'node:timers/promises';
import { backoff } from '../layers/platform/src';

/** A failure worth another try later (a 503, a refused connection); `cause` is what to report if patience runs out. */
export class TryAgainLater extends Error {
  override readonly name = 'TryAgainLater';

  constructor(
    override readonly cause: Error,
    /** What the service asked for (`Retry-After`), if it did. */
    readonly retryAfterSeconds?: number,
  ) {
    super(cause.message);
  }
}

export interface BackoffOptions {
  /** How long to keep trying, in all. */
  readonly patienceMs: number;
  /** Told before each wait, e.g. to print "the platform is unavailable; retrying in 4 s". */
  readonly onRetry?: (reason: string, delayMs: number) => void;
}

/**
 * Runs `attempt` until it succeeds, waiting out each {@link TryAgainLater}
 * (what the service asked for, else 1 s doubling to 15 s) for up to
 * `patienceMs`; any other error is thrown at once. After the patience, the last
 * failure's cause is thrown.
 *
 * @example
 * const reply = await withBackoff(() => callOnce(), { patienceMs: 600_000 });
 */
export async function withBackoff<T>(attempt: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const deadline = Date.now() + options.patienceMs;
  for (let failures = 0; ; failures += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof TryAgainLater)) throw error;
      const wait = Math.min(Math.max(backoff({ attempt: failures, base: 1000, max: 15_000 }), (error.retryAfterSeconds ?? 0) * 1000), 15_000);
      if (Date.now() + wait > deadline) throw error.cause;
      options.onRetry?.(error.message, wait);
      await sleep(wait);
    }
  }
}
