import { parquetRead, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ChunkSpan } from '../files/ChunkBoundaries';
import type { UploadRef } from '../files/ChunkTask';
import { itemsOf, type SourceBatch, type SourceItem, type SourceRecord } from '../records/SourceRecord';
import { parquetColumns, withRawDecimals, type ParquetColumn } from './parquetColumns';
import { rowGroupsOf, type RowGroupExtent } from './parquetChunks';
import { PARQUET_PARSERS, ParquetSource, type UploadBytes } from './ParquetSource';
import { PerUploadVersion } from './PerUploadVersion';

/**
 * Values decoded at once, at most: a row group is decoded a slice of rows at a
 * time (the reader skips the pages before a slice and stops after it), so
 * memory holds the row group's compressed bytes and one slice of values.
 */
const VALUES_PER_SLICE = 1 << 20;
/** Rows handed on together, at most (see `SourceBatch`). */
const BATCH_ROWS = 1000;

/** The decoded values of rows `[from, to)`, column by column. */
async function readSlice(source: ParquetSource, metadata: FileMetaData, group: RowGroupExtent, from: number, to: number): Promise<Map<string, unknown[]>> {
  const columns = new Map<string, unknown[]>();
  try {
    await parquetRead({
      file: source,
      metadata,
      rowStart: from,
      rowEnd: to,
      compressors,
      // Binary without an annotation stays bytes (a blob); text is annotated STRING.
      utf8: false,
      parsers: PARQUET_PARSERS,
      onChunk: ({ columnName, columnData, rowStart }) => {
        let column = columns.get(columnName);
        if (!column) columns.set(columnName, (column = new Array<unknown>(to - from)));
        // A page may hold rows on either side of the slice.
        const first = Math.max(from, rowStart);
        const last = Math.min(to, rowStart + columnData.length);
        for (let row = first; row < last; row += 1) column[row - from] = columnData[row - rowStart];
      },
    });
  } catch (error) {
    throw source.failure(error, `malformed Parquet in row group ${group.index + 1}`);
  }
  return columns;
}

/** The rows of one row group, in slices of bounded size, held in memory as one ranged GET while they are read. */
async function* readRowGroup(
  source: ParquetSource,
  metadata: FileMetaData,
  columns: readonly ParquetColumn[],
  group: RowGroupExtent,
): AsyncGenerator<SourceBatch> {
  const leafColumns = metadata.row_groups[group.index]?.columns.length ?? 1;
  const sliceRows = Math.max(1, Math.floor(VALUES_PER_SLICE / Math.max(1, leafColumns)));
  const groupEnd = group.firstRow + group.rows;
  await source.hold(group.start, group.end);
  try {
    for (let from = group.firstRow; from < groupEnd; from += sliceRows) {
      const to = Math.min(groupEnd, from + sliceRows);
      const decoded = await readSlice(source, metadata, group, from, to);
      const values = columns.map((column) => decoded.get(column.name) ?? []);
      for (let first = from; first < to; first += BATCH_ROWS) {
        const batch: SourceItem[] = [];
        for (let row = first; row < Math.min(to, first + BATCH_ROWS); row += 1) {
          const fields: Record<string, unknown> = {};
          for (let index = 0; index < columns.length; index += 1) {
            const column = columns[index] as ParquetColumn;
            fields[column.name] = column.value((values[index] as unknown[])[row - from]);
          }
          batch.push({ kind: 'record', record: { position: row + 1, fields } });
        }
        yield batch;
      }
    }
  } finally {
    source.release();
  }
}

/**
 * Reads the rows of an uploaded Parquet file, or of one of its chunks (the
 * row groups its span holds), as records: `position` is the row's number in
 * the whole file (from 1), `fields` its columns' values by name, as
 * {@link parquetColumns} says them. Every read is a ranged GET of the object
 * version: its footer first, then each row group once, one at a time; never
 * the whole object. A file that cannot be read throws a `MalformedFileError`;
 * a storage read that fails throws its own error, to be retried.
 *
 * @example
 * for await (const batch of readParquetRecords(uploadText, upload, chunk)) ...
 */
export async function* readParquetRecords(bytes: UploadBytes, upload: UploadRef, chunk?: ChunkSpan): AsyncGenerator<SourceBatch> {
  const source = new ParquetSource(bytes, upload);
  const footer = await source.footer();
  const columns = parquetColumns(footer);
  const metadata = withRawDecimals(footer);
  const groups = rowGroupsOf(footer, upload.size).filter((group) => group.rows > 0 && (!chunk || (group.start >= chunk.start && group.end <= chunk.end)));
  for (const group of groups) yield* readRowGroup(source, metadata, columns, group);
}

/** First rows read in this process, by upload version: every task of a file plans with them (see `appPlan`). */
const samples = new PerUploadVersion<SourceRecord[]>(4);

/** The first `count` rows of an uploaded Parquet file (read from its first row group), once in this process. */
export function parquetSample(bytes: UploadBytes, upload: UploadRef, count: number): Promise<SourceRecord[]> {
  return samples.get(upload, async () => {
    const sample: SourceRecord[] = [];
    for await (const item of itemsOf(readParquetRecords(bytes, upload))) {
      if (item.kind === 'record') sample.push(item.record);
      if (sample.length >= count) break;
    }
    return sample;
  });
}

/** The columns of an uploaded Parquet file with their CQL types, from its footer (what the generic app makes its table of). */
export async function parquetFileColumns(bytes: UploadBytes, upload: UploadRef): Promise<ParquetColumn[]> {
  return parquetColumns(await new ParquetSource(bytes, upload).footer());
}
