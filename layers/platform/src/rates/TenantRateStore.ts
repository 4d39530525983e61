import cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';

/** What a tenant's rate limit counts: rows its files write (`rowsPerSecond`), or stream messages written for it (`streamMessagesPerSecond`). */
export type RateKind = 'rows' | 'stream';

/**
 * How a booking went: `applied`; `lost` to another booking made since the read
 * (read again and book again); or `unknown`, Cassandra having timed out on the
 * lightweight transaction, which may have applied or not.
 */
export type BookingOutcome = 'applied' | 'lost' | 'unknown';

const codes = cassandra.types.responseErrorCodes;
/** A node's answers that a write timed out or failed on some replicas: it may have been committed all the same. */
const MAYBE_APPLIED_CODES = new Set<number>([codes.writeTimeout, codes.writeFailure]);

/** A lightweight transaction that timed out: Paxos may have committed it or not. */
function maybeApplied(error: unknown): boolean {
  if (error instanceof cassandra.errors.OperationTimedOutError) return true;
  return error instanceof cassandra.errors.ResponseError && MAYBE_APPLIED_CODES.has(error.code);
}

/**
 * Each tenant's theoretical arrival time per kind of work (`tenant_rates`
 * table of the platform keyspace, one row per tenant and kind): the instant,
 * in microseconds since the epoch, until which the tenant's share of that kind
 * is booked. Every invocation of every process books its work here, so a limit
 * holds for all of them together ({@link TenantRateLimiter} decides what to
 * book). A booking is a compare-and-set on the time read, so two bookings never
 * take the same share.
 *
 * @example
 * const tat = await store.read('zoo', 'rows');
 * const outcome = await store.book('zoo', 'rows', tat, tat + 50_000);
 */
export class TenantRateStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'tenant_rates');
  }

  /** The booked-until time (µs since the epoch), or undefined when the tenant never booked this kind. */
  async read(tenant: string, kind: RateKind): Promise<number | undefined> {
    // A plain read: one that missed a booking in progress finds out when its compare-and-set is not applied.
    const row = (await this.client.execute(`SELECT tat FROM ${this.table} WHERE tenant = ? AND kind = ?`, [tenant, kind], this.prepared)).first();
    const tat = row?.get('tat') as bigint | null | undefined;
    return tat === null || tat === undefined ? undefined : Number(tat);
  }

  /** Books until `next` (µs), provided the time is still `expected` (what `read` said; undefined: no row yet). */
  async book(tenant: string, kind: RateKind, expected: number | undefined, next: number): Promise<BookingOutcome> {
    try {
      const applied =
        expected === undefined
          ? await this.lightweightTransaction(`INSERT INTO ${this.table} (tenant, kind, tat) VALUES (?, ?, ?) IF NOT EXISTS`, [tenant, kind, BigInt(next)])
          : await this.lightweightTransaction(`UPDATE ${this.table} SET tat = ? WHERE tenant = ? AND kind = ? IF tat = ?`, [
              BigInt(next),
              tenant,
              kind,
              BigInt(expected),
            ]);
      return applied ? 'applied' : 'lost';
    } catch (error) {
      if (maybeApplied(error)) return 'unknown';
      throw error;
    }
  }
}
