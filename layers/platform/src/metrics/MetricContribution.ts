import { createHash } from 'node:crypto';
import type { IngestionRecord } from '../ingest/files/IngestionStore';
import type { LatencyHistogram } from '../stream/LatencyHistogram';
import { MetricValues } from './MetricValues';

/** What one stream-ingest invocation did for one tenant. */
export interface StreamBatchStats {
  readonly tenant: string;
  readonly recordedAt: Date;
  /** Message ids written; they identify the contribution, so a redelivered batch is not counted twice. */
  readonly writtenMessageIds: readonly string[];
  /** Deliveries that failed, as `<message id>:<attempt>`. */
  readonly failedDeliveries: readonly string[];
  readonly bytes: number;
  readonly latency: LatencyHistogram;
}

/**
 * One piece of work's share of a tenant's time series: a file's final
 * outcome, or a stream-ingest invocation's messages. `source` identifies the
 * work, so recording the same work again (a retried invocation, a redelivered
 * notification) overwrites its contribution instead of adding to the counts.
 */
export interface MetricContribution {
  readonly tenant: string;
  /** `batch:<ingestion id>` or `stream:<hash of the message ids and failed deliveries>`. */
  readonly source: string;
  /** When the work finished: the minute it counts in. */
  readonly at: Date;
  readonly values: MetricValues;
}

/** A file's final outcome (ingested, rejected or failed); undefined while it is not final. */
export function batchContribution(record: IngestionRecord): MetricContribution | undefined {
  const counts =
    record.status === 'ingested'
      ? { files: 1, rows: record.rows, bytes: record.bytes, badRows: record.badRows, ingestMs: record.durationMs ?? 0 }
      : record.status === 'rejected'
        ? { rejectedFiles: 1, badRows: record.badRows }
        : record.status === 'failed'
          ? { failedFiles: 1 }
          : undefined;
  if (!counts) return undefined;
  return { tenant: record.tenant, source: `batch:${record.ingestionId}`, at: record.finishedAt ?? new Date(), values: MetricValues.of(counts) };
}

/** A stream-ingest invocation's messages written and deliveries failed; undefined when it did neither. */
export function streamContribution(stats: StreamBatchStats): MetricContribution | undefined {
  if (stats.writtenMessageIds.length === 0 && stats.failedDeliveries.length === 0) return undefined;
  const identity = [...stats.writtenMessageIds].sort().join('\n') + '\n--\n' + [...stats.failedDeliveries].sort().join('\n');
  return {
    tenant: stats.tenant,
    source: `stream:${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`,
    at: stats.recordedAt,
    values: MetricValues.of(
      { messages: stats.writtenMessageIds.length, messageBytes: stats.bytes, streamFailures: stats.failedDeliveries.length },
      stats.latency,
    ),
  };
}
