import type { FileMetaData, ParquetType, RowGroup } from 'hyparquet';
import { formatByteSize } from '../../units/byteSize';
import type { ChunkSpan } from '../files/ChunkBoundaries';
import type { UploadRef } from '../files/ChunkTask';
import { FileRejectedError } from '../files/FileRejectedError';
import { MalformedFileError } from '../records/MalformedFileError';
import { ParquetSource, type UploadBytes } from './ParquetSource';

/** A row group as the footer places it: its bytes in the file (its column chunks, end to end) and its rows. */
export interface RowGroupExtent {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Rows of the file before it (its first row's index, from 0). */
  readonly firstRow: number;
  readonly rows: number;
  /** Its values' bytes written out plainly (see {@link plainBytesOf}): what reading its rows costs. */
  readonly decodedBytes: number;
}

/** Bytes of a value of each fixed-width physical type, written plainly. */
const PLAIN_WIDTH: Partial<Record<ParquetType, number>> = { BOOLEAN: 1, INT32: 4, FLOAT: 4, INT64: 8, DOUBLE: 8, INT96: 12 };

/**
 * The bytes a row group's values take written out plainly: for a fixed-width
 * column its values times their width; for strings and binaries what the
 * writer says they take unencoded, or, where it does not say, their encoded
 * size and at least 8 bytes a value. Neither the stored size nor the footer's
 * `total_byte_size` weighs the work: both are after dictionary and run-length
 * encoding, which shrink a column of a hundred tracker names to almost nothing,
 * though every row still has to be read, checked and written.
 */
export function plainBytesOf(group: RowGroup): number {
  return group.columns.reduce((sum, column) => {
    const meta = column.meta_data;
    if (!meta) return sum;
    const values = Number(meta.num_values);
    const width = PLAIN_WIDTH[meta.type];
    if (width) return sum + values * width;
    return sum + Math.max(Number(meta.size_statistics?.unencoded_byte_array_data_bytes ?? meta.total_uncompressed_size), values * 8);
  }, 0);
}

/** The row groups of a file, from its footer; a row group that lies outside the file makes it malformed. */
export function rowGroupsOf(metadata: FileMetaData, fileSize: number): RowGroupExtent[] {
  let firstRow = 0;
  return metadata.row_groups.map((group, index) => {
    let start = Number.POSITIVE_INFINITY;
    let end = 0;
    for (const column of group.columns) {
      const meta = column.meta_data;
      if (!meta) throw new MalformedFileError(`malformed Parquet: row group ${index + 1} has a column chunk without metadata`);
      const from = Number(meta.dictionary_page_offset || meta.data_page_offset);
      start = Math.min(start, from);
      end = Math.max(end, from + Number(meta.total_compressed_size));
    }
    const rows = Number(group.num_rows);
    if (group.columns.length === 0) start = end = 0;
    else if (start < 0 || end > fileSize) {
      throw new MalformedFileError(
        `malformed Parquet: row group ${index + 1} lies at bytes ${start}-${end - 1}, outside the ${fileSize}-byte file (a file cut short?)`,
      );
    }
    const extent = { index, start, end, firstRow, rows, decodedBytes: plainBytesOf(group) };
    firstRow += rows;
    return extent;
  });
}

/** The bytes a file's values take written out plainly: a Parquet file of this many costs about what a text file of as many bytes costs to ingest. */
export function decodedBytesOf(metadata: FileMetaData): number {
  return metadata.row_groups.reduce((sum, group) => sum + plainBytesOf(group), 0);
}

/**
 * Plans a Parquet file's chunks from its footer alone, without reading a row:
 * a chunk is one or more whole row groups, in file order, whose values
 * written out plainly take at most `chunkSize` together (Parquet encodes and
 * compresses many times over, and a chunk's time is its rows', so it is
 * weighed by its values, as a text chunk is by its text); a row group over
 * that is a chunk of its own. Its span is the row
 * groups' bytes in the file, and its position offset the rows before it, so
 * that rows are numbered from 1 in the whole file. A row group's stored bytes
 * are read whole, so one whose stored bytes are over the chunk size is refused
 * ({@link FileRejectedError}, naming it and its size). A file without rows has
 * one empty chunk.
 *
 * @example
 * planParquetChunks(metadata, 32 * 2 ** 20, upload.size); // [{ index: 0, start: 4, end: 30_112_004, positionOffset: 0 }, ...]
 */
export function planParquetChunks(metadata: FileMetaData, chunkSize: number, fileSize: number): ChunkSpan[] {
  const groups = rowGroupsOf(metadata, fileSize).filter((group) => group.rows > 0);
  const spans: ChunkSpan[] = [];
  let current: { start: number; end: number; positionOffset: number; decodedBytes: number } | undefined;
  for (const group of groups) {
    if (group.end - group.start > chunkSize) {
      throw new FileRejectedError(
        `row group ${group.index + 1} of ${metadata.row_groups.length} holds ${formatByteSize(group.end - group.start)} (${group.rows} rows), more than the chunk size of ${formatByteSize(chunkSize)}: a row group is read whole, so each must fit in a chunk; write the file with smaller row groups (pyarrow: row_group_size)`,
        'chunkSize',
      );
    }
    if (current && current.decodedBytes + group.decodedBytes > chunkSize) {
      spans.push({ index: spans.length, start: current.start, end: current.end, positionOffset: current.positionOffset });
      current = undefined;
    }
    current = current
      ? { ...current, end: group.end, decodedBytes: current.decodedBytes + group.decodedBytes }
      : { start: group.start, end: group.end, positionOffset: group.firstRow, decodedBytes: group.decodedBytes };
  }
  if (current) spans.push({ index: spans.length, start: current.start, end: current.end, positionOffset: current.positionOffset });
  return spans.length ? spans : [{ index: 0, start: 0, end: 0, positionOffset: 0 }];
}

/** The chunks of an uploaded Parquet file: one ranged GET of its footer, then {@link planParquetChunks}. */
export async function parquetChunks(bytes: UploadBytes, upload: UploadRef, chunkSize: number): Promise<ChunkSpan[]> {
  const metadata = await new ParquetSource(bytes, upload).footer();
  return planParquetChunks(metadata, chunkSize, upload.size);
}

/** The bytes an uploaded Parquet file's values take written out plainly (one ranged GET of its footer, kept for the file's other tasks). */
export async function parquetDecodedBytes(bytes: UploadBytes, upload: UploadRef): Promise<number> {
  return decodedBytesOf(await new ParquetSource(bytes, upload).footer());
}
