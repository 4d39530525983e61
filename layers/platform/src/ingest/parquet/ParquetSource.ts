import { parquetMetadataAsync, type AsyncBuffer, type FileMetaData, type ParquetParsers } from 'hyparquet';
import type { UploadRef } from '../files/ChunkTask';
import type { UploadText } from '../files/UploadText';
import { MalformedFileError } from '../records/MalformedFileError';
import { PerUploadVersion } from './PerUploadVersion';

/** The tail read first for the footer: most footers are a few KiB; a larger one costs one more read. */
const FOOTER_GUESS_BYTES = 16 * 1024;
/** "PAR1" at both ends, and the footer's length: the smallest a Parquet file can be. */
const SMALLEST_PARQUET_BYTES = 12;
/** Footers read in this process, by upload version: every task of a file needs its footer. */
const footers = new PerUploadVersion<FileMetaData>(32);

/** Whole milliseconds before or at `count` units of `perMillisecond` (sub-millisecond precision goes: a CQL timestamp has none). */
function millisecondsOf(count: bigint, perMillisecond: bigint): Date {
  const quotient = count / perMillisecond;
  return new Date(Number(count % perMillisecond < 0n ? quotient - 1n : quotient));
}

/** How the reader makes dates and instants: a DATE is its "YYYY-MM-DD" text, a timestamp a Date floored to the millisecond. */
export const PARQUET_PARSERS: Partial<ParquetParsers> = {
  dateFromDays: (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10),
  timestampFromMilliseconds: (millis: bigint) => new Date(Number(millis)),
  timestampFromMicroseconds: (micros: bigint) => millisecondsOf(micros, 1000n),
  timestampFromNanoseconds: (nanos: bigint) => millisecondsOf(nanos, 1_000_000n),
};

/** Where a Parquet upload's bytes are read: a Parquet file is never compressed as a whole, so its text is the object's own bytes. */
export type UploadBytes = Pick<UploadText, 'openInChunk'>;

/**
 * An uploaded Parquet file as the reader sees it (an `AsyncBuffer`): every
 * slice it asks for is a ranged GET of the object version, never the whole
 * object. A byte range held with {@link hold} (the row group being read) is
 * read once and its slices served from memory until it is released.
 *
 * A failure of a storage read is kept, so that it is told from a file that
 * cannot be read: the first is thrown as it is (to be retried), the second is
 * a {@link MalformedFileError} (see {@link failure}).
 *
 * @example
 * const source = new ParquetSource(uploadText, upload);
 * const metadata = await source.footer();
 */
export class ParquetSource implements AsyncBuffer {
  readonly byteLength: number;
  private held: { readonly start: number; readonly bytes: Buffer } | undefined;
  private storageFailure: unknown;

  constructor(
    private readonly bytes: UploadBytes,
    private readonly upload: UploadRef,
  ) {
    if (upload.compression) throw new TypeError('a Parquet file is not compressed as a whole');
    this.byteLength = upload.size;
  }

  async slice(start: number, end: number = this.byteLength): Promise<ArrayBuffer> {
    const held = this.held;
    const bytes =
      held && start >= held.start && end <= held.start + held.bytes.length
        ? held.bytes.subarray(start - held.start, end - held.start)
        : await this.read(start, end);
    // The reader views an ArrayBuffer of exactly the slice.
    return new Uint8Array(bytes).buffer;
  }

  /** Reads `[start, end)` once, for the slices the reader asks for inside it, until {@link release}. */
  async hold(start: number, end: number): Promise<void> {
    this.held = undefined;
    this.held = { start, bytes: await this.read(start, end) };
  }

  release(): void {
    this.held = undefined;
  }

  private async read(start: number, end: number): Promise<Buffer> {
    try {
      const body = await this.bytes.openInChunk(this.upload, start, start, end);
      const pieces: Buffer[] = [];
      for await (const piece of body as AsyncIterable<Buffer>) pieces.push(piece);
      return Buffer.concat(pieces);
    } catch (error) {
      this.storageFailure = error;
      throw error;
    }
  }

  /** What to throw for a reader's error: a storage failure as it is, else the file's fault, said with `what`. */
  failure(error: unknown, what: string): unknown {
    if (error === this.storageFailure) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new MalformedFileError(`${what}: ${message.replace(/^parquet /, '')}`, { cause: error });
  }

  /** The file's footer (its schema and row groups), read with one ranged GET of the object's tail (two for a large footer), once in this process. */
  footer(): Promise<FileMetaData> {
    return footers.get(this.upload, () => this.readFooter());
  }

  private async readFooter(): Promise<FileMetaData> {
    if (this.byteLength < SMALLEST_PARQUET_BYTES) {
      throw new MalformedFileError(
        `the file is not Parquet: it holds ${this.byteLength} bytes, fewer than the ${SMALLEST_PARQUET_BYTES} of the smallest Parquet file`,
      );
    }
    try {
      return await parquetMetadataAsync(this, { initialFetchSize: FOOTER_GUESS_BYTES, parsers: PARQUET_PARSERS });
    } catch (error) {
      if (error instanceof Error && /footer != PAR1/.test(error.message)) {
        throw new MalformedFileError(
          'the file is not Parquet: it does not end with "PAR1", the Parquet magic (a file cut short, or another format renamed .parquet)',
          {
            cause: error,
          },
        );
      }
      throw this.failure(error, "the file's Parquet footer cannot be read (a file cut short or damaged)");
    }
  }
}
