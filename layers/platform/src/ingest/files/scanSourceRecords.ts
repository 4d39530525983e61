import type { TableRow } from '../../cassandra/TableSpec';
import type { RecordFormat } from '../../tenants/FileFormat';
import type { BatchIngestPlan } from '../apps/BatchIngestApp';
import type { RowKeeping } from './ValidatedRows';
import { jsonText } from '../records/jsonText';
import { csvLine } from '../records/readRecords';
import { RecordError } from '../records/RecordError';
import type { SourceBatch, SourceItem, SourceRecord } from '../records/SourceRecord';

/** Records handed to an app's `plan` before anything is written. */
export const PLAN_SAMPLE_RECORDS = 1000;
export const MAX_BAD_ROW_SAMPLES = 20;
/** Bad rows kept with their text for the bad-rows file, per file or chunk, at most, and the bytes of their text. */
export const MAX_KEPT_BAD_ROWS = 10_000;
const MAX_KEPT_BAD_ROW_BYTES = 8 * 1024 * 1024;
/** Records (or rows, where rows are written without their records) between two progress reports, about. */
export const PROGRESS_EVERY = 10_000;

/** A bad row for the bad-rows file: where it is, why it is bad, and its text when it could be read. */
export interface BadRow {
  readonly position: number;
  readonly reason: string;
  readonly raw: string | undefined;
}

export interface ScanStats {
  /** Source records read (the file's records), good and bad. */
  sourceRecords: number;
  /** Rows produced by the good records (an app may write several rows per source record). */
  rows: number;
  badRows: number;
  badRowSamples: string[];
  /** The first bad rows, with their text (as many as `keepBadRows` asked for). */
  kept: BadRow[];
}

export interface ScanOptions {
  readonly format: RecordFormat;
  readonly plan: BatchIngestPlan;
  /** Stop once there are more bad rows than this. */
  readonly maxBadRows: number;
  /** Where the good records' rows go, a batch at a time, in the file's order (the write pass); none to validate only. */
  readonly sink?: ((rows: readonly TableRow[]) => Promise<void>) | undefined;
  /** Where the good records' rows are kept for a later write, or checked as they would be (a validate pass, see `ValidatedRows`). */
  readonly rowKeeper?: RowKeeping | undefined;
  /** Items read already (the sample), to go first. */
  readonly buffered?: SourceBatch | undefined;
  readonly onProgress?: ((stats: ScanStats) => void) | undefined;
  /** Bad rows to keep with their text. */
  readonly keepBadRows?: number | undefined;
}

/** A record as its file held it, re-made from its fields (values and order kept); a Parquet row as a JSON object. */
function recordText(record: SourceRecord, format: RecordFormat): string {
  return format === 'csv' ? csvLine(Object.values(record.fields)) : jsonText(record.fields);
}

/** Where a record is in its file: a CSV or NDJSON line, a JSON array's element, a Parquet file's row (each from 1). */
export function positionLabel(format: RecordFormat, position: number): string {
  return format === 'json' ? `record ${position}` : format === 'parquet' ? `row ${position}` : `line ${position}`;
}

/** Reads the first records of a file, for the app's plan; returns them and the items read (the rest of the batches follow). */
export async function takeSample(batches: AsyncIterator<SourceBatch>): Promise<{ sample: SourceRecord[]; buffered: SourceItem[] }> {
  const sample: SourceRecord[] = [];
  const buffered: SourceItem[] = [];
  while (sample.length < PLAN_SAMPLE_RECORDS) {
    const next = await batches.next();
    if (next.done) break;
    buffered.push(...next.value);
    for (const item of next.value) if (item.kind === 'record' && sample.length < PLAN_SAMPLE_RECORDS) sample.push(item.record);
  }
  return { sample, buffered };
}

/**
 * Maps every record of a file through an ingest plan, counting rows and bad
 * rows (with their positions, and the first ones with their text), and hands
 * the good records' rows to `sink`, a batch at a time. Stops early, returning
 * `stopped: true`, once bad rows exceed `maxBadRows`.
 *
 * @example
 * const stats = await scanSourceRecords(batches, { format: 'csv', plan, maxBadRows: 10, sink: (rows) => writer.write(rows) });
 */
export async function scanSourceRecords(batches: AsyncIterable<SourceBatch>, options: ScanOptions): Promise<ScanStats & { stopped: boolean }> {
  const { format, plan, maxBadRows, sink, rowKeeper, onProgress } = options;
  const keep = options.keepBadRows ?? 0;
  const stats: ScanStats = { sourceRecords: 0, rows: 0, badRows: 0, badRowSamples: [], kept: [] };
  let keptBytes = 0;
  const bad = (position: number, reason: string, raw: () => string | undefined): void => {
    stats.badRows += 1;
    if (stats.badRowSamples.length < MAX_BAD_ROW_SAMPLES) stats.badRowSamples.push(`${positionLabel(format, position)}: ${reason}`);
    if (stats.kept.length >= keep) return;
    // Past the byte budget, a bad row is kept without its text.
    const text = keptBytes < MAX_KEPT_BAD_ROW_BYTES ? raw() : undefined;
    keptBytes += text?.length ?? 0;
    stats.kept.push({ position, reason, raw: text });
  };
  const scan = async (batch: SourceBatch): Promise<boolean> => {
    const rows: TableRow[] = [];
    const reported = Math.floor(stats.sourceRecords / PROGRESS_EVERY);
    for (const item of batch) {
      stats.sourceRecords += 1;
      if (item.kind === 'malformed') {
        bad(item.position, item.reason, () => item.raw);
      } else {
        try {
          const made = plan.toRows(item.record);
          rowKeeper?.add(made);
          stats.rows += made.length;
          if (sink) for (const row of made) rows.push(row);
        } catch (error) {
          if (!(error instanceof RecordError)) throw error;
          bad(item.record.position, error.message, () => recordText(item.record, format));
        }
      }
      if (stats.badRows > maxBadRows) return true;
    }
    if (sink && rows.length) await sink(rows);
    if (rowKeeper) await rowKeeper.flush();
    if (onProgress && Math.floor(stats.sourceRecords / PROGRESS_EVERY) > reported) onProgress(stats);
    return false;
  };
  if (options.buffered?.length && (await scan(options.buffered))) return { ...stats, stopped: true };
  for await (const batch of batches) if (await scan(batch)) return { ...stats, stopped: true };
  return { ...stats, stopped: false };
}
