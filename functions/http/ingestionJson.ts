import type { IngestionRecord } from '../../layers/platform/src/ingest/batch/IngestionStore';

/** An ingestion record as the API shows it. */
export function ingestionJson(record: IngestionRecord): Record<string, unknown> {
  return {
    id: record.ingestionId,
    batchId: record.batchId,
    fileName: record.fileName,
    object: record.finalKey ?? record.objectKey,
    format: record.format ?? null,
    bytes: record.bytes,
    rows: record.rows,
    badRows: record.badRows,
    badRowSamples: record.badRowSamples,
    tables: record.tables,
    status: record.status,
    reason: record.reason ?? null,
    attempts: record.attempts,
    startedAt: record.startedAt.toISOString(),
    finishedAt: record.finishedAt?.toISOString() ?? null,
    durationMs: record.durationMs ?? null,
  };
}
