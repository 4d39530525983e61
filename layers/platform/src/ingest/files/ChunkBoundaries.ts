import type { TextFormat } from '../../tenants/FileFormat';
import { MalformedFileError } from '../records/MalformedFileError';
import { ByteCursor } from './ByteCursor';

/** One chunk of a file: a byte range that starts and ends on record boundaries. */
export interface ChunkSpan {
  readonly index: number;
  /** First byte of the chunk. */
  readonly start: number;
  /** One past its last byte. */
  readonly end: number;
  /**
   * What to add to a record's position read inside the chunk to get its
   * position in the whole file: lines before the chunk for CSV (less the
   * header's, which travels with every chunk) and NDJSON, elements before it
   * for a JSON array.
   */
  readonly positionOffset: number;
}

/** Where a CSV file's header ends: it is read again in front of every chunk. */
export interface CsvHeader {
  readonly end: number;
  readonly newlines: number;
}

/** Everything a scan knows at a chunk boundary, as plain JSON, so that a later invocation can go on from there. */
export interface BoundaryScanState {
  readonly format: TextFormat;
  /** Offset of the next byte to scan: always the start of the chunk being cut. */
  readonly offset: number;
  readonly nextIndex: number;
  /** CSV: inside a quoted field. JSON: inside a string. */
  readonly quoted: boolean;
  /** Line breaks before `offset` (CSV, NDJSON). */
  readonly newlines: number;
  /** CSV: the header, once found. */
  readonly header: CsvHeader | undefined;
  /** CSV: a byte other than a line break was seen before the first record ended. JSON: the array was opened. */
  readonly content: boolean;
  /** JSON: nesting depth (1 inside the top-level array). */
  readonly depth: number;
  /** JSON: top-level commas before `offset`. */
  readonly commas: number;
  /** JSON: backslashes just before `offset` inside a string. */
  readonly backslashes: number;
  /** CSV: the record delimiter, told from the first line break (`undecided-cr` while a CR ends the bytes scanned). */
  readonly delimiter: CsvDelimiter | undefined;
  /** CSV: the last byte scanned was a CR outside quotes. */
  readonly pendingCr: boolean;
}

export type CsvDelimiter = 'lf' | 'crlf' | 'cr' | 'undecided-cr';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;
const COMMA = 44;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function isJsonSpace(byte: number): boolean {
  return byte === 32 || byte === 9 || byte === NEWLINE || byte === CARRIAGE_RETURN;
}

/** Occurrences of `byte` in `buffer[from, to)`. */
function countByte(buffer: Buffer, byte: number, from: number, to: number): number {
  let count = 0;
  for (let at = buffer.indexOf(byte, from); at >= 0 && at < to; at = buffer.indexOf(byte, at + 1)) count += 1;
  return count;
}

/** The first `byte` in `buffer[from, to)`, or -1. */
function indexBefore(buffer: Buffer, byte: number, from: number, to: number): number {
  const at = buffer.indexOf(byte, from);
  return at >= 0 && at < to ? at : -1;
}

/**
 * A structural scan of a file that cuts it into chunks of about `chunkSize`
 * bytes, each ending on a record boundary, without parsing a record. The cuts
 * lie on a grid: for m = 1, 2, ..., the first record boundary at or after
 * byte m * chunkSize ends a chunk (a record over several grid points ends one
 * chunk; the file's end ends the last). So where a cut falls depends on the
 * file alone, not on where the chunk before it started, and a byte range of
 * the file can find its own cuts (see {@link RangeScan}). A record boundary is:
 *
 * - CSV: a record ends at a line break outside a quoted field; only the quote
 *   parity is tracked (a doubled quote `""` toggles twice), so quoted fields
 *   holding line breaks, commas and quotes stay whole;
 * - NDJSON: a record ends at a line break;
 * - JSON array: elements are separated by commas at depth 1, outside strings
 *   (escaped quotes honoured); a chunk starts at such a comma.
 *
 * Line breaks and quotes are found with `Buffer.indexOf`, so CSV and NDJSON
 * scan at memory speed; JSON walks the bytes outside strings and jumps over
 * strings. A record that straddles a grid point belongs to the chunk it
 * starts in. The scan's state is plain JSON at every chunk boundary, so a
 * cutter with a time budget can hand the rest of the file to another
 * invocation (see `ChunkCutter`).
 *
 * @example
 * const scan = new ChunkBoundaries('csv', 32 * 2 ** 20);
 * for await (const buffer of stream) chunks.push(...scan.feed(buffer));
 * chunks.push(scan.finish(objectSize));
 */
export class ChunkBoundaries {
  private offset: number;
  private nextIndex: number;
  private chunkStart: number;
  private chunkPositionOffset: number;
  private quoted: boolean;
  private newlines: number;
  private header: CsvHeader | undefined;
  private content: boolean;
  private depth: number;
  private commas: number;
  private backslashes: number;
  private delimiter: CsvDelimiter | undefined;
  private pendingCr: boolean;
  private atChunkStart: BoundaryScanState;
  /** Offset of the first byte of the buffer being fed. */
  private base = 0;
  /** CSV: the line breaks of the buffer being fed, counted stretch by stretch between quotes. */
  private newlineCursor = new ByteCursor(Buffer.alloc(0), NEWLINE);
  private carriageReturnCursor = new ByteCursor(Buffer.alloc(0), CARRIAGE_RETURN);

  constructor(
    readonly format: TextFormat,
    readonly chunkSize: number,
    state?: BoundaryScanState,
  ) {
    if (state && state.format !== format) throw new RangeError(`a ${state.format} scan state cannot continue a ${format} scan`);
    this.offset = state?.offset ?? 0;
    this.nextIndex = state?.nextIndex ?? 0;
    this.quoted = state?.quoted ?? false;
    this.newlines = state?.newlines ?? 0;
    this.header = state?.header;
    this.content = state?.content ?? false;
    this.depth = state?.depth ?? 0;
    this.commas = state?.commas ?? 0;
    this.backslashes = state?.backslashes ?? 0;
    this.delimiter = state?.delimiter;
    this.pendingCr = state?.pendingCr ?? false;
    this.chunkStart = this.offset;
    this.chunkPositionOffset = this.positionAt();
    this.atChunkStart = this.snapshot();
  }

  /** The CSV header's extent, once the scan has passed it. */
  get csvHeader(): CsvHeader | undefined {
    return this.header;
  }

  /** The scan's state at the start of the chunk being cut: a later scan goes on from there (re-reading what follows it). */
  state(): BoundaryScanState {
    return this.atChunkStart;
  }

  private snapshot(): BoundaryScanState {
    return {
      format: this.format,
      offset: this.offset,
      nextIndex: this.nextIndex,
      quoted: this.quoted,
      newlines: this.newlines,
      header: this.header,
      content: this.content,
      depth: this.depth,
      commas: this.commas,
      backslashes: this.backslashes,
      delimiter: this.delimiter,
      pendingCr: this.pendingCr,
    };
  }

  /** The state where the scan now is, after the last byte fed (a range's scan hands this on: see {@link RangeScan}). */
  here(): BoundaryScanState {
    return this.snapshot();
  }

  /** The chunk being cut: where it starts, and its position offset. */
  openChunk(): { readonly start: number; readonly positionOffset: number } {
    return { start: this.chunkStart, positionOffset: this.chunkPositionOffset };
  }

  /**
   * The first grid point past the last cut: the byte a record boundary (a line
   * break, or a JSON array's comma) must be at or after to end the chunk being cut.
   */
  private nextGridPoint(): number {
    if (this.chunkStart === 0) return this.chunkSize;
    // A CSV or NDJSON chunk starts one past the line break that ended the one before; a JSON chunk starts at its comma.
    const boundaryByte = this.format === 'json' ? this.chunkStart : this.chunkStart - 1;
    return (Math.floor(boundaryByte / this.chunkSize) + 1) * this.chunkSize;
  }

  /** The position offset of a chunk starting where the scan now is. */
  private positionAt(): number {
    switch (this.format) {
      case 'csv':
        // The header travels with every chunk but the first, which holds it.
        return this.offset === 0 || !this.header ? 0 : this.newlines - this.header.newlines;
      case 'ndjson':
        return this.newlines;
      case 'json':
        return this.offset === 0 ? 0 : this.commas + 1;
    }
  }

  /** Scans the next bytes of the file; returns the chunks that ended in them. */
  feed(buffer: Buffer): ChunkSpan[] {
    const chunks: ChunkSpan[] = [];
    const base = this.offset;
    this.base = base;
    // A boundary is the first record boundary at or after the next grid point.
    const boundary = (at: number): void => {
      this.offset = base + at;
      chunks.push({ index: this.nextIndex, start: this.chunkStart, end: this.offset, positionOffset: this.chunkPositionOffset });
      this.nextIndex += 1;
      this.chunkStart = this.offset;
      this.chunkPositionOffset = this.positionAt();
      this.atChunkStart = this.snapshot();
    };
    const wantedFrom = (): number => this.nextGridPoint() - base;
    switch (this.format) {
      case 'csv':
        this.newlineCursor = new ByteCursor(buffer, NEWLINE);
        this.carriageReturnCursor = new ByteCursor(buffer, CARRIAGE_RETURN);
        this.feedCsv(buffer, wantedFrom, boundary);
        break;
      case 'ndjson':
        this.feedNdjson(buffer, wantedFrom, boundary);
        break;
      case 'json':
        this.feedJson(buffer, wantedFrom, boundary);
        break;
    }
    this.offset = base + buffer.length;
    return chunks;
  }

  /** The last chunk, up to the end of the file; none when the file ends exactly on a boundary. */
  finish(size: number): ChunkSpan | undefined {
    if (size !== this.offset) throw new RangeError(`scanned ${this.offset} bytes of a ${size}-byte file`);
    if (this.format === 'json' && (this.depth !== 0 || !this.content)) {
      throw new MalformedFileError(
        `malformed JSON: ${this.content ? 'the file ends inside the array' : 'no array'} (a .json file must hold one array of objects)`,
      );
    }
    if (this.chunkStart === size && this.nextIndex > 0) return undefined;
    const last = { index: this.nextIndex, start: this.chunkStart, end: size, positionOffset: this.chunkPositionOffset };
    this.nextIndex += 1;
    return last;
  }

  /** Chunks found so far (all of them, once `finish` was called). */
  get chunkCount(): number {
    return this.nextIndex;
  }

  private feedNdjson(buffer: Buffer, wantedFrom: () => number, boundary: (at: number) => void): void {
    let from = 0;
    for (;;) {
      const wanted = Math.max(from, wantedFrom());
      if (wanted >= buffer.length) break;
      const newline = buffer.indexOf(NEWLINE, wanted);
      if (newline < 0) break;
      this.newlines += countByte(buffer, NEWLINE, from, newline + 1);
      from = newline + 1;
      boundary(from);
    }
    this.newlines += countByte(buffer, NEWLINE, from, buffer.length);
  }

  /**
   * CSV lines as csv-parse numbers them, so that a record has the same line
   * number in a chunk as in the whole file: every CR and every LF is a line
   * break, except that a CRLF record delimiter counts once.
   */
  private csvLines(buffer: Buffer, from: number, to: number, quoted: boolean): number {
    let lines = this.newlineCursor.count(from, to) + this.carriageReturnCursor.count(from, to);
    if (!quoted && this.delimiter === 'crlf') {
      if (this.pendingCr && from === 0 && buffer[0] === NEWLINE) lines -= 1;
      lines -= this.carriageReturnCursor.countFollowedBy(NEWLINE, from, to);
    }
    return lines;
  }

  private feedCsv(buffer: Buffer, wantedFrom: () => number, boundary: (at: number) => void): void {
    let at = 0;
    if (this.delimiter === 'undecided-cr') {
      // The first line break was a CR at the end of the previous buffer: this byte tells CRLF from CR.
      this.delimiter = buffer[0] === NEWLINE ? 'crlf' : 'cr';
      this.newlines += 1;
      this.pendingCr = true;
    }
    while (at < buffer.length) {
      const quote = buffer.indexOf(QUOTE, at);
      const stop = quote < 0 ? buffer.length : quote;
      if (this.quoted) {
        // Inside a quoted field: line breaks are data; the next quote closes it (or opens a doubled one).
        this.newlines += this.csvLines(buffer, at, stop, true);
        this.pendingCr = false;
        if (quote < 0) return;
        this.quoted = false;
        at = quote + 1;
        continue;
      }
      // Outside quotes, every line break in [at, stop) ends a record.
      let from = at;
      if (!this.header) {
        from = this.findHeader(buffer, from, stop);
        if ((this.delimiter as CsvDelimiter | undefined) === 'undecided-cr') return;
      }
      for (;;) {
        const wanted = Math.max(from, wantedFrom());
        if (!this.header || wanted >= stop) break;
        const newline = buffer.indexOf(NEWLINE, wanted);
        if (newline < 0 || newline >= stop) break;
        this.newlines += this.csvLines(buffer, from, newline + 1, false);
        this.pendingCr = false;
        from = newline + 1;
        boundary(from);
      }
      this.newlines += this.csvLines(buffer, from, stop, false);
      this.pendingCr = quote < 0 && buffer[buffer.length - 1] === CARRIAGE_RETURN;
      if (quote < 0) return;
      this.content = true;
      this.quoted = true;
      at = quote + 1;
    }
  }

  /**
   * Before the header is found: tells the record delimiter from the first line
   * break, as csv-parse does, and finds the line break that ends the header
   * (the first record, after any blank lines). Returns where scanning goes on.
   */
  private findHeader(buffer: Buffer, from: number, stop: number): number {
    let at = from;
    while (at < stop) {
      const newline = indexBefore(buffer, NEWLINE, at, stop);
      const carriageReturn = this.delimiter === undefined ? indexBefore(buffer, CARRIAGE_RETURN, at, stop) : -1;
      const lineBreak = carriageReturn >= 0 && (newline < 0 || carriageReturn < newline) ? carriageReturn : newline;
      const lineEnd = lineBreak < 0 ? stop : lineBreak;
      for (let byte = at; byte < lineEnd && !this.content; byte += 1) if (buffer[byte] !== CARRIAGE_RETURN) this.content = true;
      // No line break left: the caller counts what is left (a CR there, once the delimiter is told, is a line).
      if (lineBreak < 0) return at;
      if (this.delimiter === undefined) {
        if (buffer[lineBreak] === NEWLINE) this.delimiter = 'lf';
        else if (lineBreak + 1 === buffer.length) {
          this.newlines += this.csvLines(buffer, at, lineBreak, false);
          this.delimiter = 'undecided-cr';
          return buffer.length;
        } else this.delimiter = buffer[lineBreak + 1] === NEWLINE ? 'crlf' : 'cr';
      }
      if (newline < 0) {
        // A CR-delimited file: no LF boundary will ever be found; it stays one chunk.
        return at;
      }
      this.newlines += this.csvLines(buffer, at, newline + 1, false);
      this.pendingCr = false;
      at = newline + 1;
      if (this.content) {
        this.header = { end: this.base + at, newlines: this.newlines };
        return at;
      }
    }
    return at;
  }

  private feedJson(buffer: Buffer, wantedFrom: () => number, boundary: (at: number) => void): void {
    let at = 0;
    while (at < buffer.length) {
      if (this.quoted) {
        const quote = buffer.indexOf(QUOTE, at);
        if (quote < 0) {
          this.backslashes = trailingBackslashes(buffer, at, buffer.length, this.backslashes);
          return;
        }
        const escapes = trailingBackslashes(buffer, at, quote, this.backslashes);
        this.backslashes = 0;
        at = quote + 1;
        if (escapes % 2 === 0) this.quoted = false;
        continue;
      }
      const byte = buffer[at] as number;
      if (byte === QUOTE) {
        this.quoted = true;
        this.backslashes = 0;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (this.depth === 0) {
          // Only one top-level value, and it is an array.
          if (byte !== OPEN_BRACKET || this.content) throw new MalformedFileError('malformed JSON: a .json file must hold one array of objects');
          this.content = true;
        }
        this.depth += 1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth -= 1;
        if (this.depth < 0) throw new MalformedFileError(`malformed JSON: unbalanced "${String.fromCharCode(byte)}" at byte ${this.offset + at}`);
      } else if (byte === COMMA && this.depth === 1) {
        if (at >= wantedFrom()) boundary(at);
        this.commas += 1;
      } else if (this.depth === 0 && !isJsonSpace(byte) && !(byte === 0xef || byte === 0xbb || byte === 0xbf)) {
        throw new MalformedFileError('malformed JSON: a .json file must hold one array of objects');
      }
      at += 1;
    }
  }
}

/** Backslashes immediately before `to` in `buffer[from, to)`, counting on into the previous buffer when the run reaches `from`. */
function trailingBackslashes(buffer: Buffer, from: number, to: number, carried: number): number {
  let count = 0;
  for (let at = to - 1; at >= from && buffer[at] === BACKSLASH; at -= 1) count += 1;
  return count === to - from ? count + carried : count;
}
