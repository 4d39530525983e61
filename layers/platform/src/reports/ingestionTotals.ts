import type { IngestionRecord, IngestionStatus } from '../ingest/files/IngestionStore';

export interface IngestionTotals {
  readonly files: number;
  readonly bytes: number;
  readonly rows: number;
  readonly badRows: number;
  readonly byStatus: Readonly<Partial<Record<IngestionStatus, number>>>;
  /** Over finished ingestions (ingested or rejected); null when there are none. */
  readonly meanDurationMs: number | null;
  readonly maxDurationMs: number | null;
}

/**
 * Totals over ingestion records: files, bytes, rows, and the mean and
 * maximum ingestion time, as the ingestion report gives them.
 *
 * @example
 * ingestionTotals(records).meanDurationMs;
 */
export function ingestionTotals(records: readonly IngestionRecord[]): IngestionTotals {
  const byStatus: Partial<Record<IngestionStatus, number>> = {};
  let bytes = 0;
  let rows = 0;
  let badRows = 0;
  const durations: number[] = [];
  for (const record of records) {
    byStatus[record.status] = (byStatus[record.status] ?? 0) + 1;
    bytes += record.bytes;
    rows += record.rows;
    badRows += record.badRows;
    if ((record.status === 'ingested' || record.status === 'rejected') && record.durationMs !== undefined) durations.push(record.durationMs);
  }
  return {
    files: records.length,
    bytes,
    rows,
    badRows,
    byStatus,
    meanDurationMs: durations.length ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length) : null,
    maxDurationMs: durations.length ? Math.max(...durations) : null,
  };
}
