// The API's answers the page reads (docs/openapi.yaml describes them in full).
import type { MetricSeries, PlatformOverview } from '../../../layers/platform/src';

export type { MetricSeries, PlatformOverview };

export interface Profile {
  readonly tenant: string;
  readonly displayName: string;
  readonly batch: {
    readonly maxFileSize: string;
    readonly maxFileSizeBytes: number;
    readonly maxFilesPerBatch: number;
    readonly allowedFormats: readonly string[];
    readonly maxBadRows: number;
    readonly dailyQuota?: { readonly maxFiles: number | null; readonly maxBytes: string | null };
  };
}

/** Chunk progress of a large file, when the platform splits it. */
export interface ChunkProgress {
  readonly total: number;
  readonly validated: number;
  readonly written: number;
  readonly failed: number;
}

export interface Ingestion {
  readonly id: string;
  readonly batchId: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly rows: number;
  readonly badRows: number;
  readonly badRowSamples: readonly string[];
  readonly status: string;
  readonly reason: string | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly durationMs: number | null;
  readonly chunks?: ChunkProgress | null;
  /** While its tenant's chunk tasks wait for their turn: the reason, in words. */
  readonly waiting?: { readonly reason: string } | null;
}

export interface IngestionList {
  readonly ingestions: readonly Ingestion[];
}

export interface StreamReport {
  readonly queue: { readonly name: string; readonly backlog: number | null };
  readonly deadLetterQueue: { readonly name: string; readonly messages: number | null };
}

export interface UploadGrant {
  readonly batchId: string;
  readonly fileName: string;
  readonly upload: { readonly url: string; readonly fields: Readonly<Record<string, string>> };
}

/** Statuses after which a file's ingestion changes no more. */
export const FINAL_STATUSES: readonly string[] = ['ingested', 'rejected', 'failed', 'validated'];
