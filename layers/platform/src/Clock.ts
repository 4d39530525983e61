/**
 * The time the platform's decisions read: leases and claims, how long a
 * retry waits, when a record counts as stalled, what a record says it started
 * and finished at. One clock per platform, given to every part that decides
 * by time, so that all of them agree, and so that a test can hold or move time
 * for all of them at once.
 *
 * @example
 * const leaseUntil = new Date(clock.now() + 60_000);
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The same instant as a Date. */
  date(): Date;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  date: () => new Date(),
};
