import type cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';
import { utcDay } from '../uploads/DailyUsageStore';
import type { MetricContribution } from './MetricContribution';
import { MetricValues } from './MetricValues';

const COLUMNS = [
  'files',
  'rows',
  'bytes',
  'bad_rows',
  'rejected_files',
  'failed_files',
  'ingest_ms',
  'messages',
  'message_bytes',
  'stream_failures',
  'latency_buckets',
  'latency_max_ms',
] as const;

const DAY_MS = 86_400_000;

/**
 * Tenants' time series in the platform keyspace (`tenant_metrics`): one row
 * per contribution (a file's outcome, a stream invocation), in a partition per
 * tenant and UTC day, keyed by what did the work. Writing is a plain upsert by
 * that key, so recording the same work twice (a retry, a redelivery) counts it
 * once; Cassandra counters could not promise that. Reading sums the rows of
 * the window's days into time buckets (a minute, or coarser).
 *
 * @example
 * await store.record(contribution);
 * const buckets = await store.buckets('zoo', since, until, 60_000); // minute start (ms) -> values
 */
export class MetricsStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'tenant_metrics');
  }

  async record(contribution: MetricContribution): Promise<void> {
    const { values } = contribution;
    await this.client.execute(
      `INSERT INTO ${this.table} (tenant, day, source, at, ${COLUMNS.join(', ')}) VALUES (?, ?, ?, ?, ${COLUMNS.map(() => '?').join(', ')})`,
      [
        contribution.tenant,
        utcDay(contribution.at),
        contribution.source,
        contribution.at,
        values.files,
        BigInt(values.rows),
        BigInt(values.bytes),
        BigInt(values.badRows),
        values.rejectedFiles,
        values.failedFiles,
        BigInt(Math.round(values.ingestMs)),
        values.messages,
        BigInt(values.messageBytes),
        values.streamFailures,
        values.latency.buckets,
        values.latency.max,
      ],
      this.prepared,
    );
  }

  /** The tenant's figures from `since` to `until`, summed per bucket of `bucketMs` (keyed by the bucket's start, aligned on the epoch). */
  async buckets(tenant: string, since: Date, until: Date, bucketMs: number): Promise<Map<number, MetricValues>> {
    const days: Date[] = [];
    for (let day = Math.floor(since.getTime() / DAY_MS) * DAY_MS; day <= until.getTime(); day += DAY_MS) days.push(new Date(day));
    const buckets = new Map<number, MetricValues>();
    await Promise.all(
      days.map(async (day) => {
        const rows = this.client.stream(`SELECT at, ${COLUMNS.join(', ')} FROM ${this.table} WHERE tenant = ? AND day = ?`, [tenant, utcDay(day)], {
          ...this.prepared,
          fetchSize: 2000,
        }) as unknown as AsyncIterable<cassandra.types.Row>;
        for await (const row of rows) {
          const at = (row.get('at') as Date).getTime();
          if (at < since.getTime() || at > until.getTime()) continue;
          const start = Math.floor(at / bucketMs) * bucketMs;
          let bucket = buckets.get(start);
          if (!bucket) {
            bucket = new MetricValues();
            buckets.set(start, bucket);
          }
          bucket.add(valuesOf(row));
        }
      }),
    );
    return buckets;
  }
}

function valuesOf(row: cassandra.types.Row): MetricValues {
  const number = (column: string): number => Number(row.get(column) ?? 0);
  const values = MetricValues.of({
    files: number('files'),
    rows: number('rows'),
    bytes: number('bytes'),
    badRows: number('bad_rows'),
    rejectedFiles: number('rejected_files'),
    failedFiles: number('failed_files'),
    ingestMs: number('ingest_ms'),
    messages: number('messages'),
    messageBytes: number('message_bytes'),
    streamFailures: number('stream_failures'),
  });
  values.latency.merge((row.get('latency_buckets') as Map<number, number> | null) ?? new Map(), number('latency_max_ms'));
  return values;
}
