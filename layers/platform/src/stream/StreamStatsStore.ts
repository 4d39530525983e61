import type cassandra from 'cassandra-driver';
import { createHash } from 'node:crypto';
import { cqlIdentifier } from '../cassandra/cql';
import { utcDay } from '../uploads/DailyUsageStore';
import { LatencyHistogram } from './LatencyHistogram';

/** What one stream-ingest invocation did for one tenant. */
export interface StreamBatchStats {
  readonly tenant: string;
  readonly recordedAt: Date;
  /** Message ids written; they key the stats row, so a redelivered batch is not counted twice. */
  readonly writtenMessageIds: readonly string[];
  /** Deliveries that failed, as `<sqs message id>:<receive count>`. */
  readonly failedDeliveries: readonly string[];
  readonly bytes: number;
  readonly latency: LatencyHistogram;
}

export interface StreamReport {
  readonly tenant: string;
  readonly since: Date;
  readonly until: Date;
  readonly messages: number;
  readonly bytes: number;
  /** Failed deliveries (each retry of a bad message counts). */
  readonly failures: number;
  /** Publish-to-write latency in milliseconds. */
  readonly latencyMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null; readonly max: number | null };
}

/**
 * Per-invocation stream statistics in the platform keyspace, merged into a
 * tenant's stream report: messages, bytes, failures and publish-to-write
 * latency percentiles.
 *
 * @example
 * await stats.record(batchStats);
 * const report = await stats.report('zoo', new Date(Date.now() - 3_600_000), new Date());
 */
export class StreamStatsStore {
  private readonly table: string;

  constructor(
    private readonly client: cassandra.Client,
    keyspace: string,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.stream_batches`;
  }

  async record(stats: StreamBatchStats): Promise<void> {
    const identity = [...stats.writtenMessageIds].sort().join('\n') + '\n--\n' + [...stats.failedDeliveries].sort().join('\n');
    const batchId = createHash('sha256').update(identity).digest('hex').slice(0, 32);
    await this.client.execute(
      `INSERT INTO ${this.table} (tenant, day, batch_id, recorded_at, messages, bytes, failures, latency_buckets, latency_max_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        stats.tenant,
        utcDay(stats.recordedAt),
        batchId,
        stats.recordedAt,
        stats.writtenMessageIds.length,
        BigInt(stats.bytes),
        stats.failedDeliveries.length,
        stats.latency.buckets,
        stats.latency.max,
      ],
    );
  }

  async report(tenant: string, since: Date, until: Date): Promise<StreamReport> {
    const latency = new LatencyHistogram();
    let messages = 0;
    let bytes = 0;
    let failures = 0;
    const day = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), since.getUTCDate()));
    for (; day <= until; day.setUTCDate(day.getUTCDate() + 1)) {
      const rows = this.client.stream(
        `SELECT recorded_at, messages, bytes, failures, latency_buckets, latency_max_ms FROM ${this.table} WHERE tenant = ? AND day = ?`,
        [tenant, utcDay(day)],
        { prepare: true, fetchSize: 1000 },
      ) as unknown as AsyncIterable<cassandra.types.Row>;
      for await (const row of rows) {
        const at = row.get('recorded_at') as Date;
        if (at < since || at > until) continue;
        messages += row.get('messages') as number;
        bytes += Number(row.get('bytes'));
        failures += row.get('failures') as number;
        latency.merge((row.get('latency_buckets') as Map<number, number> | null) ?? new Map(), (row.get('latency_max_ms') as number | null) ?? 0);
      }
    }
    return {
      tenant,
      since,
      until,
      messages,
      bytes,
      failures,
      latencyMs: { p50: latency.percentile(0.5), p95: latency.percentile(0.95), p99: latency.percentile(0.99), max: latency.count ? latency.max : null },
    };
  }
}
