import type { IngestionRecord } from '../ingest/files/IngestionStore';
import { platformLogger } from '../logging/platformLogger';
import type { EmbeddedMetrics } from './EmbeddedMetrics';
import { batchContribution, streamContribution, type MetricContribution, type StreamBatchStats } from './MetricContribution';
import type { MetricsStore } from './MetricsStore';
import { MetricValues } from './MetricValues';
import type { MetricsWindow } from './metricsWindow';
import type { MetricSeries } from '../http/contract';

/**
 * The platform's metrics: each file's final outcome and each stream-ingest
 * invocation is counted once in the tenant's time series (Cassandra) and
 * emitted as CloudWatch metrics (embedded metric format). Recording never
 * fails the work it measures: a failure to record is logged.
 *
 * @example
 * await metrics.batchFinished(record);
 * const series = await metrics.series('zoo', metricsWindow('24'));
 */
export class PlatformMetrics {
  constructor(
    private readonly store: MetricsStore,
    private readonly embedded: EmbeddedMetrics,
  ) {}

  /** A file's outcome; records only final ones (ingested, rejected, failed). */
  batchFinished(record: IngestionRecord): Promise<void> {
    return this.record(batchContribution(record));
  }

  /** What one stream-ingest invocation wrote and failed for one tenant. */
  streamBatch(stats: StreamBatchStats): Promise<void> {
    return this.record(streamContribution(stats));
  }

  async series(tenant: string, window: MetricsWindow): Promise<MetricSeries> {
    const buckets = await this.store.buckets(tenant, window.since, window.until, window.bucketSeconds * 1000);
    const totals = new MetricValues();
    for (const bucket of buckets.values()) totals.add(bucket);
    return {
      tenant,
      windowHours: window.hours,
      since: window.since.toISOString(),
      until: window.until.toISOString(),
      bucketSeconds: window.bucketSeconds,
      totals: totals.toJson(),
      buckets: [...buckets].sort(([a], [b]) => a - b).map(([start, values]) => ({ start: new Date(start).toISOString(), ...values.toJson() })),
    };
  }

  private async record(contribution: MetricContribution | undefined): Promise<void> {
    if (!contribution) return;
    try {
      this.embedded.emit(contribution);
      await this.store.record(contribution);
    } catch (error) {
      platformLogger.warn('could not record metrics', { tenant: contribution.tenant, source: contribution.source, error });
    }
  }
}
