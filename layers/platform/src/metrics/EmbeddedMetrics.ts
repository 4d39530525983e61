import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MetricContribution } from './MetricContribution';

/** CloudWatch takes at most 100 values of one metric per log line. */
const MAX_LATENCY_VALUES = 100;

/**
 * The time series as CloudWatch metrics, in the embedded metric format
 * (Powertools Metrics): one JSON log line per contribution, namespace
 * `mysimbdp`, dimensions service, stage and tenant. On AWS, CloudWatch Logs
 * turns the lines into metrics; locally they are log lines in the platform's
 * log. Latency goes as up to 100 values at evenly spaced quantiles of the
 * invocation's histogram, so CloudWatch can draw its percentiles.
 *
 * @example
 * new EmbeddedMetrics('local').emit(contribution);
 * // {"_aws":{"CloudWatchMetrics":[{"Namespace":"mysimbdp","Dimensions":[["service","stage","tenant"]],...}]},"tenant":"zoo","IngestedRows":300,...}
 */
export class EmbeddedMetrics {
  private readonly metrics: Metrics;

  constructor(stage: string, metrics?: Metrics) {
    this.metrics = metrics ?? new Metrics({ namespace: 'mysimbdp', serviceName: 'mysimbdp', defaultDimensions: { stage } });
  }

  /** Adds and publishes in one synchronous run, so concurrent invocations never mix their dimensions. */
  emit(contribution: MetricContribution): void {
    const { values } = contribution;
    const metrics = this.metrics;
    metrics.setTimestamp(contribution.at);
    metrics.addDimension('tenant', contribution.tenant);
    const counts: Array<[string, (typeof MetricUnit)[keyof typeof MetricUnit], number]> = [
      ['IngestedFiles', MetricUnit.Count, values.files],
      ['IngestedRows', MetricUnit.Count, values.rows],
      ['IngestedBytes', MetricUnit.Bytes, values.bytes],
      ['BadRows', MetricUnit.Count, values.badRows],
      ['RejectedFiles', MetricUnit.Count, values.rejectedFiles],
      ['FailedFiles', MetricUnit.Count, values.failedFiles],
      ['IngestionTime', MetricUnit.Milliseconds, values.ingestMs],
      ['StreamMessages', MetricUnit.Count, values.messages],
      ['StreamBytes', MetricUnit.Bytes, values.messageBytes],
      ['StreamFailures', MetricUnit.Count, values.streamFailures],
    ];
    const isBatch = contribution.source.startsWith('batch:');
    for (const [name, unit, value] of counts) {
      // A file's line carries the batch figures, an invocation's the stream figures (zeros included, so sums and counts are right).
      if (name.startsWith('Stream') !== isBatch) metrics.addMetric(name, unit, value);
    }
    const samples = Math.min(values.latency.count, MAX_LATENCY_VALUES);
    for (let index = 0; index < samples; index += 1) {
      metrics.addMetric('StreamLatency', MetricUnit.Milliseconds, values.latency.percentile((index + 0.5) / samples) ?? 0);
    }
    metrics.publishStoredMetrics();
  }
}
