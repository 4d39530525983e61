/** How long to wait before the next try: the first delay, doubled on every failure, capped. */
export interface BackoffOptions {
  /** Failures before this one, from 0: after the first failure the wait is `base`, then twice that, and so on. */
  readonly attempt: number;
  /** The first wait, in whatever unit the caller counts (milliseconds or seconds); the result is in the same unit. */
  readonly base: number;
  /** The longest wait, in the same unit. */
  readonly max: number;
  /** The share of the wait (0 to 1) taken off at random, so that failures that came together do not all try again together (default 0: none). */
  readonly jitter?: number;
  /** Where the jitter's randomness comes from (Math.random unless a test gives its own). */
  readonly random?: () => number;
}

/**
 * The platform's one exponential backoff: `base`, doubling with each
 * `attempt`, never more than `max`, less a random share of it when `jitter`
 * is given. However many failures came before, the wait stays finite (the
 * doubling stops where it would pass any cap).
 *
 * @example
 * backoff({ attempt: 0, base: 100, max: 2000 }); // 100
 * backoff({ attempt: 3, base: 100, max: 2000 }); // 800
 * backoff({ attempt: 9, base: 100, max: 2000 }); // 2000
 * backoff({ attempt: 2, base: 1000, max: 15_000, jitter: 0.5 }); // between 2000 and 4000
 */
export function backoff({ attempt, base, max, jitter = 0, random = Math.random }: BackoffOptions): number {
  // 2 ** 1023 is the largest power of two a number holds: beyond it the product would be Infinity (or NaN for a base of 0).
  const wait = Math.min(max, base * 2 ** Math.min(Math.max(0, attempt), 1023));
  return jitter > 0 ? wait * (1 - Math.min(1, jitter) * random()) : wait;
}
