import type { TableRow } from '../../cassandra/TableSpec';
import type { FileFormat } from '../../tenants/TenantProfile';
import type { BatchIngestPlan } from '../apps/BatchIngestApp';
import { RecordError } from '../records/RecordError';
import type { SourceItem, SourceRecord } from '../records/SourceRecord';

/** Records handed to an app's `plan` before anything is written. */
export const PLAN_SAMPLE_RECORDS = 1000;
export const MAX_BAD_ROW_SAMPLES = 20;

export interface ScanStats {
  /** Records read, good and bad. */
  records: number;
  /** Rows produced by the good records (an app may write several rows per record). */
  rows: number;
  badRows: number;
  badRowSamples: string[];
}

export function positionLabel(format: FileFormat, position: number): string {
  return format === 'json' ? `record ${position}` : `line ${position}`;
}

/** Reads the first records of a file, for planning; returns them and the rest of the stream. */
export async function takeSample(items: AsyncGenerator<SourceItem>): Promise<{ sample: SourceRecord[]; buffered: SourceItem[] }> {
  const sample: SourceRecord[] = [];
  const buffered: SourceItem[] = [];
  while (sample.length < PLAN_SAMPLE_RECORDS) {
    const next = await items.next();
    if (next.done) break;
    buffered.push(next.value);
    if (next.value.kind === 'record') sample.push(next.value.record);
  }
  return { sample, buffered };
}

async function* prepend(first: readonly SourceItem[], rest: AsyncGenerator<SourceItem>): AsyncGenerator<SourceItem> {
  yield* first;
  yield* rest;
}

/**
 * Maps every record of a file through an ingest plan, counting rows and bad
 * rows (with their positions), and hands each good record's rows to `sink`.
 * Stops early, returning `stopped: true`, once bad rows exceed `maxBadRows`.
 *
 * @example
 * const stats = await scanRecords(items, 'csv', plan, 10, async (rows) => { for (const row of rows) await writer.write(row); });
 */
export async function scanRecords(
  items: AsyncGenerator<SourceItem>,
  format: FileFormat,
  plan: BatchIngestPlan,
  maxBadRows: number,
  sink: ((rows: readonly TableRow[]) => Promise<void>) | undefined,
  buffered: readonly SourceItem[] = [],
  onProgress?: (stats: ScanStats) => void,
): Promise<ScanStats & { stopped: boolean }> {
  const stats: ScanStats = { records: 0, rows: 0, badRows: 0, badRowSamples: [] };
  const bad = (position: number, reason: string): void => {
    stats.badRows += 1;
    if (stats.badRowSamples.length < MAX_BAD_ROW_SAMPLES) stats.badRowSamples.push(`${positionLabel(format, position)}: ${reason}`);
  };
  for await (const item of prepend(buffered, items)) {
    stats.records += 1;
    if (item.kind === 'malformed') {
      bad(item.position, item.reason);
    } else {
      let rows: readonly TableRow[];
      try {
        rows = plan.toRows(item.record);
      } catch (error) {
        if (!(error instanceof RecordError)) throw error;
        bad(item.record.position, error.message);
        rows = [];
      }
      stats.rows += rows.length;
      if (sink && rows.length) await sink(rows);
    }
    if (stats.badRows > maxBadRows) return { ...stats, stopped: true };
    if (onProgress && stats.records % 10_000 === 0) onProgress(stats);
  }
  return { ...stats, stopped: false };
}
