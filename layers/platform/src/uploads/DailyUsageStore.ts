import cassandra from 'cassandra-driver';
import { cqlIdentifier } from '../cassandra/cql';
import { ConflictError } from '../errors';

export interface DailyLimits {
  readonly maxFiles?: number | undefined;
  readonly maxBytes?: number | undefined;
}

export type QuotaOutcome =
  | { readonly ok: true }
  | { readonly ok: false; readonly constraint: 'dailyQuota.maxFiles' | 'dailyQuota.maxBytes'; readonly used: number; readonly limit: number };

const LWT = { prepare: true, serialConsistency: cassandra.types.consistencies.localSerial };

function applied(result: cassandra.types.ResultSet): boolean {
  return result.first()?.get('[applied]') === true;
}

/** The UTC day of a date, as Cassandra's `date` type. */
export function utcDay(now: Date): cassandra.types.LocalDate {
  return cassandra.types.LocalDate.fromDate(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())));
}

/**
 * Files and bytes granted per tenant per UTC day, for the profile's optional
 * daily quota; reserved with compare-and-set so concurrent uploads cannot
 * overshoot it.
 *
 * @example
 * const outcome = await usage.reserve('zoo', 1024, { maxFiles: 100 });
 */
export class DailyUsageStore {
  private readonly table: string;

  constructor(
    private readonly client: cassandra.Client,
    keyspace: string,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.daily_usage`;
  }

  async usage(tenant: string, now = new Date()): Promise<{ files: number; bytes: number }> {
    const row = (await this.client.execute(`SELECT files, bytes FROM ${this.table} WHERE tenant = ? AND day = ?`, [tenant, utcDay(now)])).first();
    return { files: (row?.get('files') as number | null) ?? 0, bytes: Number((row?.get('bytes') as bigint | null) ?? 0n) };
  }

  async reserve(tenant: string, bytes: number, limits: DailyLimits, now = new Date()): Promise<QuotaOutcome> {
    const day = utcDay(now);
    await this.client.execute(`INSERT INTO ${this.table} (tenant, day, files, bytes) VALUES (?, ?, 0, 0) IF NOT EXISTS`, [tenant, day], LWT);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const used = await this.usage(tenant, now);
      if (limits.maxFiles !== undefined && used.files + 1 > limits.maxFiles) {
        return { ok: false, constraint: 'dailyQuota.maxFiles', used: used.files, limit: limits.maxFiles };
      }
      if (limits.maxBytes !== undefined && used.bytes + bytes > limits.maxBytes) {
        return { ok: false, constraint: 'dailyQuota.maxBytes', used: used.bytes, limit: limits.maxBytes };
      }
      const result = await this.client.execute(
        `UPDATE ${this.table} SET files = ?, bytes = ? WHERE tenant = ? AND day = ? IF files = ? AND bytes = ?`,
        [used.files + 1, BigInt(used.bytes + bytes), tenant, day, used.files, BigInt(used.bytes)],
        LWT,
      );
      if (applied(result)) return { ok: true };
    }
    throw new ConflictError('the daily quota is too busy to update; retry the upload request');
  }
}
