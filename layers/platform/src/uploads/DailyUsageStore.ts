import type { Clock } from '../Clock';
import cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';
import { ConflictError } from '../errors';

export interface DailyLimits {
  readonly maxFiles?: number | undefined;
  readonly maxBytes?: number | undefined;
}

export type QuotaOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly constraint: 'dailyQuota.maxFiles' | 'dailyQuota.maxBytes'; readonly used: number; readonly limit: number };

/** The UTC day of a date, as Cassandra's `date` type. */
export function utcDay(now: Date): cassandra.types.LocalDate {
  return cassandra.types.LocalDate.fromDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
}

/**
 * Files and bytes that landed per tenant per UTC day, for the profile's
 * optional daily quota. An upload is charged once, when the batch-ingest
 * function takes it, with the size S3 says it has (never the size a client
 * declared); the charge is a compare-and-set that also remembers which
 * ingestion it was for, so concurrent uploads cannot overshoot the quota and a
 * retried invocation is not charged twice.
 *
 * @example
 * const outcome = await usage.charge('zoo', ingestionId, 1024, { maxFiles: 100 });
 */
export class DailyUsageStore extends CassandraStore {
  /** `clock`: the time that says which UTC day it is. */
  constructor(client: cassandra.Client, keyspace: string, clock?: Clock) {
    super(client, keyspace, 'daily_usage', clock);
  }

  async usage(tenant: string, now = this.clock.date()): Promise<{ files: number; bytes: number }> {
    const row = (await this.client.execute(`SELECT files, bytes FROM ${this.table} WHERE tenant = ? AND day = ?`, [tenant, utcDay(now)])).first();
    return { files: (row?.get('files') as number | null) ?? 0, bytes: Number((row?.get('bytes') as bigint | null) ?? 0n) };
  }

  /** Whether one more file of `bytes` would still fit today's quota (checked when granting; charged when it lands). */
  async fits(tenant: string, bytes: number, limits: DailyLimits, now = this.clock.date()): Promise<QuotaOutcome> {
    return this.within(await this.usage(tenant, now), bytes, limits);
  }

  private within(used: { files: number; bytes: number }, bytes: number, limits: DailyLimits): QuotaOutcome {
    if (limits.maxFiles !== undefined && used.files + 1 > limits.maxFiles) {
      return { ok: false, constraint: 'dailyQuota.maxFiles', used: used.files, limit: limits.maxFiles };
    }
    if (limits.maxBytes !== undefined && used.bytes + bytes > limits.maxBytes) {
      return { ok: false, constraint: 'dailyQuota.maxBytes', used: used.bytes, limit: limits.maxBytes };
    }
    return { ok: true };
  }

  /** Charges an upload that landed, once per `ingestionId`; refuses it when it breaks the quota. */
  async charge(tenant: string, ingestionId: string, bytes: number, limits: DailyLimits, now = this.clock.date()): Promise<QuotaOutcome> {
    const day = utcDay(now);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const row = (await this.client.execute(`SELECT files, bytes, charged FROM ${this.table} WHERE tenant = ? AND day = ?`, [tenant, day])).first();
      if (!row) {
        // The day's first upload makes the row (whoever else makes it, the loop reads it again).
        await this.lightweightTransaction(`INSERT INTO ${this.table} (tenant, day, files, bytes) VALUES (?, ?, 0, 0) IF NOT EXISTS`, [tenant, day]);
        continue;
      }
      const used = { files: (row?.get('files') as number | null) ?? 0, bytes: Number((row?.get('bytes') as bigint | null) ?? 0n) };
      if ((row?.get('charged') as Map<string, bigint> | null)?.has(ingestionId)) return { ok: true };
      const outcome = this.within(used, bytes, limits);
      if (!outcome.ok) return outcome;
      const charged = await this.lightweightTransaction(
        `UPDATE ${this.table} SET files = ?, bytes = ?, charged[?] = ? WHERE tenant = ? AND day = ? IF files = ? AND bytes = ?`,
        [used.files + 1, BigInt(used.bytes + bytes), ingestionId, BigInt(bytes), tenant, day, used.files, BigInt(used.bytes)],
      );
      if (charged) return { ok: true };
    }
    throw new ConflictError('the daily quota is too busy to update; the upload will be retried');
  }
}
