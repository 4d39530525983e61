import { DeferredError } from '../errors';
import { RATE_LIMIT_NAMES, type TenantRateLimiter } from './TenantRateLimiter';
import type { RateKind } from './TenantRateStore';

/**
 * Units one booking takes: a tenth of a second's worth (at least one), so a
 * tenant's writers book about ten times a second together, whether its limit
 * is 50 rows a second or 100,000. What a writer booked and did not use by the
 * time it ends is share lost to the tenant, never taken beyond its limit.
 */
export function ratePiece(limitPerSecond: number): number {
  return Math.max(1, Math.ceil(limitPerSecond / 10));
}

/**
 * Rows a paced writer holds back at most: a second of the tenant's share, so
 * that sending what it holds (when it stops, or when the buffer is full) takes
 * about a second, not longer than the invocation has.
 */
export function pacedBufferRows(limitPerSecond: number): number {
  return Math.max(1, Math.min(20_000, limitPerSecond));
}

/**
 * One invocation's pace for a tenant's limit: `pace(n)` returns once `n` units
 * may go, booking the tenant's share in pieces ({@link ratePiece}) and
 * waiting for them ({@link TenantRateLimiter}). A wait that would end after
 * `deadline` (epoch ms: what the invocation can afford) books nothing and
 * throws a `DeferredError`, so the work goes back to its queue to wait there,
 * using none of its tries.
 *
 * @example
 * const pacer = new RatePacer(limiter, 'zoo', 'rows', 2000, deadline);
 * const writer = new RowWriter(client, keyspace, tables, { pace: pacer.pace });
 */
export class RatePacer {
  private credit = 0;
  private waited = 0;
  private readonly piece: number;

  constructor(
    private readonly limiter: TenantRateLimiter,
    private readonly tenant: string,
    private readonly kind: RateKind,
    private readonly limitPerSecond: number,
    private readonly deadline = Number.POSITIVE_INFINITY,
  ) {
    this.piece = ratePiece(limitPerSecond);
  }

  /** Milliseconds this pacer waited for the tenant's share so far. */
  get waitedMs(): number {
    return this.waited;
  }

  readonly pace = async (units: number): Promise<void> => {
    if (units <= this.credit) {
      this.credit -= units;
      return;
    }
    const n = Math.max(this.piece, units - this.credit);
    const booking = await this.limiter.acquire(this.tenant, this.kind, n, this.limitPerSecond, this.deadline);
    if (!booking.acquired) {
      const seconds = Math.max(1, Math.ceil(booking.waitMs / 1000));
      throw new DeferredError(
        `tenant ${this.tenant}'s share of ${RATE_LIMIT_NAMES[this.kind]} (${this.limitPerSecond}) is taken for the next ${seconds} s, past what this invocation can wait; the work waits for it`,
        seconds,
      );
    }
    this.waited += booking.waitedMs;
    this.credit += n - units;
  };
}
