import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Clock } from '../Clock';
import { ServiceUnavailableError } from '../errors';
import type { RateKind, TenantRateStore } from './TenantRateStore';

/** What a booking came to: the work may go (after `waitedMs` of waiting), or it would have to wait `waitMs`, past the caller's deadline, and nothing was booked. */
export type RateBooking = { readonly acquired: true; readonly waitedMs: number } | { readonly acquired: false; readonly waitMs: number };

export interface TenantRateLimiterOptions {
  /** Booked time allowed ahead of now: work may go this far before its share (a second's worth by default), so a limit is held on average, not per instant. */
  readonly burstMs?: number;
  /** Bookings tried (lost to others, or with a lost answer) before the limiter calls the store too busy; the work then waits as for an outage. */
  readonly maxTries?: number;
  /** How a wait is waited (a test moves its fake clock instead). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The profile field a kind's limit comes from, for messages. */
export const RATE_LIMIT_NAMES: Record<RateKind, string> = { rows: 'limits.rowsPerSecond', stream: 'limits.streamMessagesPerSecond' };

/**
 * A tenant's rate limits, held across every invocation and process by the
 * generic cell rate algorithm over one shared row per tenant and kind
 * ({@link TenantRateStore}): the row says until when the tenant's share is
 * booked (its theoretical arrival time, TAT). To do `n` units of work at
 * `limit` per second, a caller books `n / limit` seconds after the later of the
 * TAT and now, with a compare-and-set, and then waits until at most the burst
 * of booked time lies ahead of its own booking (never later than its booking's
 * start: a booking bigger than the burst, such as a stream invocation of more
 * messages than a second's worth, goes once the ones before it are done, and
 * its cost holds back the ones after it). Whoever books, wherever, the work of
 * any window of T seconds is at most `limit × (T + burst)`; over a limit, work
 * waits, it is never refused.
 *
 * A booking lost to another is read again and booked again. One whose answer
 * was lost (Cassandra timed out on it: it may have applied) is booked again as
 * well, so that at worst the tenant's share is taken twice, which makes it
 * slower, never faster.
 *
 * @example
 * const booking = await limiter.acquire('zoo', 'stream', 100, 500, deadline);
 * if (!booking.acquired) throw new DeferredError('...', Math.ceil(booking.waitMs / 1000));
 */
export class TenantRateLimiter {
  private readonly burstMicros: number;
  private readonly maxTries: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly store: TenantRateStore,
    private readonly clock: Clock,
    options: TenantRateLimiterOptions = {},
  ) {
    this.burstMicros = (options.burstMs ?? 1000) * 1000;
    this.maxTries = options.maxTries ?? 50;
    this.sleep = options.sleep ?? ((ms) => sleepFor(ms));
  }

  /**
   * Books `n` units of the tenant's `kind` at `limitPerSecond` and waits for
   * their turn. When the wait would end after `deadline` (epoch ms), books
   * nothing and says how long it would have been.
   */
  async acquire(tenant: string, kind: RateKind, n: number, limitPerSecond: number, deadline = Number.POSITIVE_INFINITY): Promise<RateBooking> {
    // Rounded up: a booking never takes less of the share than its work is worth.
    const cost = Math.ceil((n * 1_000_000) / limitPerSecond);
    for (let tries = 0; tries < this.maxTries; tries += 1) {
      const tat = await this.store.read(tenant, kind);
      const now = this.clock.now() * 1000;
      const start = Math.max(tat ?? now, now);
      const next = start + cost;
      const due = Math.min(next - this.burstMicros, start);
      if (due / 1000 > deadline) return { acquired: false, waitMs: Math.max(0, (due - now) / 1000) };
      // Lost to another booking, or its answer lost (it may have applied: booked again, at worst twice): read again.
      if ((await this.store.book(tenant, kind, tat, next)) !== 'applied') continue;
      const waitMs = Math.max(0, due / 1000 - this.clock.now());
      if (waitMs > 0) await this.sleep(waitMs);
      return { acquired: true, waitedMs: waitMs };
    }
    throw new ServiceUnavailableError(`the ${RATE_LIMIT_NAMES[kind]} of tenant ${tenant} is too busy to book; the work waits`, {
      service: 'cassandra',
      retryAfterSeconds: 1,
    });
  }
}
