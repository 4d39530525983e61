import { Metrics } from '@aws-lambda-powertools/metrics';
import type { IngestionRecord } from '../../layers/platform/src/ingest/files/IngestionStore';
import { EmbeddedMetrics } from '../../layers/platform/src/metrics/EmbeddedMetrics';
import { batchContribution, streamContribution } from '../../layers/platform/src/metrics/MetricContribution';
import { MetricValues } from '../../layers/platform/src/metrics/MetricValues';
import { metricsWindow } from '../../layers/platform/src/metrics/metricsWindow';
import { LatencyHistogram } from '../../layers/platform/src/stream/LatencyHistogram';

const finishedAt = new Date('2026-11-20T10:15:42Z');

function record(overrides: Partial<IngestionRecord>): IngestionRecord {
  return {
    tenant: 'zoo',
    batchId: '20261120T101500Z-abcdef',
    ingestionId: '20261120T101500Z-abcdef-0123456789',
    fileName: 'a.csv',
    objectKey: 'tenants/zoo/incoming/20261120T101500Z-abcdef/a.csv',
    finalKey: undefined,
    format: 'csv',
    bytes: 2 * 1024 * 1024,
    textBytes: undefined,
    rows: 1000,
    badRows: 2,
    badRowSamples: [],
    tables: [],
    startedAt: new Date(finishedAt.getTime() - 500),
    finishedAt,
    durationMs: 500,
    status: 'ingested',
    reason: undefined,
    attempts: 1,
    grantId: 'grant',
    version: 'version',
    versionId: 'version',
    etag: 'etag',
    phase: undefined,
    chunksTotal: undefined,
    planContext: undefined,
    updatedAt: finishedAt,
    refused: {},
    dryRun: false,
    badRowsKey: undefined,
    ...overrides,
  };
}

function histogram(...values: number[]): LatencyHistogram {
  const latency = new LatencyHistogram();
  for (const value of values) latency.record(value);
  return latency;
}

describe('metric contributions', () => {
  it('counts an ingested file: rows, bytes, bad rows and time per MiB, keyed by its ingestion id', () => {
    const contribution = batchContribution(record({}));
    expect(contribution).toMatchObject({ tenant: 'zoo', source: 'batch:20261120T101500Z-abcdef-0123456789', at: finishedAt });
    expect(contribution?.values.toJson()).toMatchObject({ files: 1, rows: 1000, bytes: 2097152, badRows: 2, ingestMs: 500, msPerMiB: 250, rejectedFiles: 0 });
  });

  it('counts a rejected or failed file as such, and nothing before a file is final', () => {
    expect(batchContribution(record({ status: 'rejected', badRows: 8 }))?.values.toJson()).toMatchObject({ files: 0, rows: 0, rejectedFiles: 1, badRows: 8 });
    expect(batchContribution(record({ status: 'failed' }))?.values.toJson()).toMatchObject({ files: 0, failedFiles: 1, badRows: 0 });
    expect(batchContribution(record({ status: 'processing' }))).toBeUndefined();
    expect(batchContribution(record({ status: 'retrying' }))).toBeUndefined();
  });

  it('keys a stream invocation by its messages, in any order, so a retry overwrites it', () => {
    const stats = { tenant: 'zoo', recordedAt: finishedAt, writtenMessageIds: ['a', 'b'], failedDeliveries: ['c:0'], bytes: 300, latency: histogram(10, 20) };
    const first = streamContribution(stats);
    const again = streamContribution({ ...stats, writtenMessageIds: ['b', 'a'], recordedAt: new Date() });
    expect(again?.source).toBe(first?.source);
    expect(streamContribution({ ...stats, failedDeliveries: ['c:1'] })?.source).not.toBe(first?.source);
    expect(first?.values.toJson()).toMatchObject({ messages: 2, messageBytes: 300, streamFailures: 1, latencyMs: { p50: 10, max: 20 } });
    expect(streamContribution({ ...stats, writtenMessageIds: [], failedDeliveries: [] })).toBeUndefined();
  });

  it('adds values up, latency histograms merged', () => {
    const total = new MetricValues();
    total.add(MetricValues.of({ files: 1, rows: 10, bytes: 1024 * 1024, ingestMs: 100 }));
    total.add(MetricValues.of({ messages: 3 }, histogram(5, 50, 500)));
    expect(total.toJson()).toMatchObject({ files: 1, rows: 10, msPerMiB: 100, messages: 3, latencyMs: { p50: 52, max: 500 } }); // 50 ms, to the histogram's 5 %
    expect(new MetricValues().toJson()).toMatchObject({ msPerMiB: null, latencyMs: { p50: null, p95: null, p99: null, max: null } });
    expect(new MetricValues().isEmpty()).toBe(true);
  });
});

describe('metrics windows', () => {
  const now = new Date('2026-11-20T12:00:00Z');

  it('uses minute buckets up to a day and coarser ones beyond', () => {
    expect(metricsWindow(undefined, now)).toEqual({ hours: 24, since: new Date('2026-11-19T12:00:00Z'), until: now, bucketSeconds: 60 });
    expect(metricsWindow('1', now).bucketSeconds).toBe(60);
    expect(metricsWindow('72', now).bucketSeconds).toBe(300);
    expect(metricsWindow('168', now).bucketSeconds).toBe(900);
    expect(metricsWindow('744', now).bucketSeconds).toBe(3600);
  });

  it('refuses hours out of 1..744', () => {
    for (const hours of ['0', '745', '1.5', 'day', '-3']) expect(() => metricsWindow(hours, now)).toThrow('hours must be a whole number from 1 to 744');
  });
});

describe('embedded metric format', () => {
  let lines: string[];
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept only to be put back on process.stdout, never called on its own
  const write = process.stdout.write;

  beforeEach(() => {
    lines = [];
    process.stdout.write = (chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    };
  });
  afterEach(() => {
    process.stdout.write = write;
  });

  const emitted = (): Record<string, unknown> => JSON.parse(lines.join('').trim()) as Record<string, unknown>;
  const embedded = () => new EmbeddedMetrics('test', new Metrics({ namespace: 'mysimbdp', serviceName: 'mysimbdp', defaultDimensions: { stage: 'test' } }));

  it('emits a file outcome as one CloudWatch line with the tenant as a dimension', () => {
    embedded().emit(batchContribution(record({})) as NonNullable<ReturnType<typeof batchContribution>>);
    const line = emitted();
    expect(line).toMatchObject({
      tenant: 'zoo',
      stage: 'test',
      service: 'mysimbdp',
      IngestedFiles: 1,
      IngestedRows: 1000,
      IngestedBytes: 2097152,
      IngestionTime: 500,
    });
    const aws = line._aws as { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    expect(aws.Timestamp).toBe(finishedAt.getTime());
    expect(aws.CloudWatchMetrics[0]?.Namespace).toBe('mysimbdp');
    expect(aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['service', 'stage', 'tenant']]);
    expect(aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name)).not.toContain('StreamMessages');
  });

  it('emits a stream invocation with up to 100 latency values', () => {
    const latencies = Array.from({ length: 1000 }, (_, n) => n + 1);
    const contribution = streamContribution({
      tenant: 'shop',
      recordedAt: finishedAt,
      writtenMessageIds: latencies.map(String),
      failedDeliveries: [],
      bytes: 5000,
      latency: histogram(...latencies),
    });
    embedded().emit(contribution as NonNullable<typeof contribution>);
    const line = emitted();
    expect(line).toMatchObject({ tenant: 'shop', StreamMessages: 1000, StreamBytes: 5000, StreamFailures: 0 });
    expect(line.IngestedRows).toBeUndefined();
    const latency = line.StreamLatency as number[];
    expect(latency).toHaveLength(100);
    expect(latency[49]).toBeGreaterThan(450);
    expect(latency[49]).toBeLessThan(550);
  });
});
