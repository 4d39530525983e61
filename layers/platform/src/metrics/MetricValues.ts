import { LatencyHistogram } from '../stream/LatencyHistogram';

const MIB = 1024 * 1024;

/** A time bucket's figures as the API shows them. */
export interface MetricValuesJson {
  /** Files ingested (status `ingested`). */
  readonly files: number;
  readonly rows: number;
  /** Bytes of the files ingested. */
  readonly bytes: number;
  /** Bad rows, in ingested and rejected files. */
  readonly badRows: number;
  readonly rejectedFiles: number;
  readonly failedFiles: number;
  /** Time spent ingesting the files ingested. */
  readonly ingestMs: number;
  /** `ingestMs` per MiB ingested; null without bytes. */
  readonly msPerMiB: number | null;
  /** Stream messages written. */
  readonly messages: number;
  readonly messageBytes: number;
  /** Failed stream deliveries (each retry of a bad message counts). */
  readonly streamFailures: number;
  /** Publish-to-write latency of the messages written; null without messages. */
  readonly latencyMs: { readonly p50: number | null; readonly p95: number | null; readonly p99: number | null; readonly max: number | null };
}

/**
 * What the platform did for one tenant in one stretch of time (one minute, a
 * coarser bucket, or a whole window): files, rows, bytes, bad rows,
 * rejections and failures, ingestion time, stream messages, bytes, failures
 * and publish-to-write latency. Values of several contributions add up.
 *
 * @example
 * const total = new MetricValues();
 * total.add(MetricValues.of({ files: 1, rows: 300, bytes: 28_919, ingestMs: 290 }));
 * total.toJson().msPerMiB; // 10.5
 */
export class MetricValues {
  files = 0;
  rows = 0;
  bytes = 0;
  badRows = 0;
  rejectedFiles = 0;
  failedFiles = 0;
  ingestMs = 0;
  messages = 0;
  messageBytes = 0;
  streamFailures = 0;
  readonly latency = new LatencyHistogram();

  static of(counts: Partial<Omit<MetricValues, 'latency' | 'add' | 'isEmpty' | 'toJson'>>, latency?: LatencyHistogram): MetricValues {
    const values = Object.assign(new MetricValues(), counts);
    if (latency) values.latency.merge(latency.buckets, latency.max);
    return values;
  }

  add(other: MetricValues): void {
    this.files += other.files;
    this.rows += other.rows;
    this.bytes += other.bytes;
    this.badRows += other.badRows;
    this.rejectedFiles += other.rejectedFiles;
    this.failedFiles += other.failedFiles;
    this.ingestMs += other.ingestMs;
    this.messages += other.messages;
    this.messageBytes += other.messageBytes;
    this.streamFailures += other.streamFailures;
    this.latency.merge(other.latency.buckets, other.latency.max);
  }

  isEmpty(): boolean {
    return this.files + this.rejectedFiles + this.failedFiles + this.badRows + this.messages + this.streamFailures === 0;
  }

  toJson(): MetricValuesJson {
    return {
      files: this.files,
      rows: this.rows,
      bytes: this.bytes,
      badRows: this.badRows,
      rejectedFiles: this.rejectedFiles,
      failedFiles: this.failedFiles,
      ingestMs: this.ingestMs,
      msPerMiB: this.bytes > 0 ? Math.round((this.ingestMs / (this.bytes / MIB)) * 10) / 10 : null,
      messages: this.messages,
      messageBytes: this.messageBytes,
      streamFailures: this.streamFailures,
      latencyMs: {
        p50: this.latency.percentile(0.5),
        p95: this.latency.percentile(0.95),
        p99: this.latency.percentile(0.99),
        max: this.latency.count ? this.latency.max : null,
      },
    };
  }
}
