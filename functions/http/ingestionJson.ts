import { FileFormatSchema, type Ingestion, type IngestionProgress } from '../../layers/platform/src';

/** An ingestion record as the API shows it. */
export function ingestionJson({ record, chunks, waiting }: IngestionProgress): Ingestion {
  return {
    id: record.ingestionId,
    batchId: record.batchId,
    fileName: record.fileName,
    grantId: record.grantId ?? null,
    object: record.finalKey ?? record.objectKey,
    // Stored as text: a format the API does not know is shown as none.
    format: FileFormatSchema.safeParse(record.format).data ?? null,
    bytes: record.bytes,
    textBytes: record.textBytes ?? null,
    rows: record.rows,
    badRows: record.badRows,
    badRowSamples: record.badRowSamples,
    // Where to download the bad rows (the bad records, and why each was refused).
    badRowsFile: record.badRowsKey ? `/tenants/${record.tenant}/ingestions/${record.ingestionId}/bad-rows` : null,
    tables: record.tables,
    status: record.status,
    reason: record.reason ?? null,
    dryRun: record.dryRun,
    chunks: chunks ?? null,
    // Its tenant's tasks queued for their turn (its file's, or its chunks'): the file waits for its tenant's share, it is not stalled.
    waiting: waiting
      ? {
          ...waiting,
          reason: `waiting for its tenant's share of the chunk invocations: ${waiting.queued} tasks queued, ${waiting.inFlight} in flight, at most ${waiting.limit} at once`,
        }
      : null,
    refusedUploads: Object.entries(record.refused).map(([version, reason]) => ({ version, reason })),
    attempts: record.attempts,
    startedAt: record.startedAt.toISOString(),
    finishedAt: record.finishedAt?.toISOString() ?? null,
    durationMs: record.durationMs ?? null,
  };
}
