import { ByteCursor } from './ByteCursor';
import { ChunkBoundaries, type BoundaryScanState, type ChunkSpan } from './ChunkBoundaries';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;

/** The formats a file is planned in ranges for: a record ends at a line break (outside quotes). */
export type RangedFormat = 'csv' | 'ndjson';

/** A cut a range found: where the chunk it ends is followed by the next, and the line breaks before it in the range. */
export interface RangeCut {
  /** One past the record's line break: where the next chunk starts. */
  readonly at: number;
  /** Line breaks from the range's start to `at`, every one counted: each LF and each CR (CSV), each LF (NDJSON). */
  readonly lines: number;
  /** CSV: CR LF pairs outside quoted fields from the range's start to `at` (a CRLF record delimiter counts them once). */
  readonly crlf: number;
}

/** What a range holds, read as if the file were outside (or inside) a quoted field where the range starts. */
export interface RangeCourse {
  /** The cuts of the grid points in the range, in order; none when no record ends in it. */
  readonly cuts: readonly RangeCut[];
  /** CSV: inside a quoted field where the range ends. */
  readonly quotedAtEnd: boolean;
  /** CSV: CR LF pairs outside quoted fields in the whole range. */
  readonly crlf: number;
  /** CSV: the range's last byte is a CR outside quoted fields (a CR LF pair across the seam when the next range starts with its LF). */
  readonly endsInCr: boolean;
}

/** A range after the first: its cuts for both states the file may be in where it starts. */
export interface InnerRangeResult {
  readonly kind: 'inner';
  readonly start: number;
  readonly end: number;
  /** Line breaks in the range, every one counted (as {@link RangeCut.lines}): the same whatever the state. */
  readonly lines: number;
  /** The range's first byte is a LF. */
  readonly startsWithLf: boolean;
  /** Entering the range outside a quoted field (NDJSON: always). */
  readonly outside: RangeCourse;
  /** CSV: entering it inside a quoted field. */
  readonly inside: RangeCourse | undefined;
}

/** The first range, scanned from the file's start as the whole file would be. */
export interface FirstRangeResult {
  readonly kind: 'first';
  readonly start: 0;
  readonly end: number;
  /** The chunks that end in the range. */
  readonly chunks: readonly ChunkSpan[];
  /** The chunk still open where the range ends. */
  readonly open: { readonly start: number; readonly positionOffset: number };
  /** The scan's state where the range ends (the CSV header, the record delimiter, the line count, quoted or not). */
  readonly state: BoundaryScanState;
}

export type RangeResult = FirstRangeResult | InnerRangeResult;

interface Course {
  readonly cuts: RangeCut[];
  crlf: number;
  /** The grid point whose cut is looked for next. */
  nextGrid: number;
}

/**
 * The scan of one byte range `[start, end)` of a CSV or NDJSON file, so that
 * several invocations can cut a large file at once; `start` is a grid point
 * (a multiple of the chunk size, see {@link ChunkBoundaries}), `end` the next
 * range's start or the file's end.
 *
 * The first range is scanned as the whole file is, from its start: it finds
 * the CSV header and the record delimiter. A later range cannot know whether
 * it starts inside a quoted field, so it is read both ways at once: a quote
 * flips the state either way, so a line break outside quotes in one reading
 * is inside them in the other. For each reading it keeps, per grid point in
 * the range, the first record boundary at or after it (the cut the whole
 * file's scan makes there), with the line breaks before it; a range starts on
 * a grid point, so its first cut also ends any record that runs into it from
 * a range before. Line breaks are counted apart (each LF, each CR, and CR LF
 * pairs outside quotes), since how csv-parse numbers lines depends on the
 * record delimiter, which only the first range knows. {@link stitchRanges}
 * puts the ranges together.
 *
 * @example
 * const scan = new RangeScan('csv', chunkSize, 8 * chunkSize, 16 * chunkSize);
 * for await (const buffer of body) scan.feed(buffer);
 * const result = scan.finish();
 */
export class RangeScan {
  private offset: number;
  private readonly first: ChunkBoundaries | undefined;
  private readonly chunks: ChunkSpan[] = [];
  /** Entering outside quotes, then inside. */
  private readonly courses: readonly [Course, Course];
  /** Inside quotes, reading the range as entered outside them. */
  private flipped = false;
  private lines = 0;
  private startsWithLf: boolean | undefined;
  private lastByteCr = false;
  /** The line breaks of the buffer being fed. */
  private newlines = new ByteCursor(Buffer.alloc(0), NEWLINE);
  private carriageReturns = new ByteCursor(Buffer.alloc(0), CARRIAGE_RETURN);

  constructor(
    readonly format: RangedFormat,
    readonly chunkSize: number,
    readonly start: number,
    readonly end: number,
  ) {
    if (start % chunkSize !== 0 || end <= start) throw new RangeError(`a range [${start}, ${end}) must start on a multiple of ${chunkSize} and hold a byte`);
    this.offset = start;
    this.first = start === 0 ? new ChunkBoundaries(format, chunkSize) : undefined;
    this.courses = [
      { cuts: [], crlf: 0, nextGrid: start },
      { cuts: [], crlf: 0, nextGrid: start },
    ];
  }

  /** Scans the next bytes of the range. */
  feed(buffer: Buffer): void {
    if (this.offset + buffer.length > this.end) throw new RangeError(`bytes past the range's end (${this.end})`);
    if (buffer.length === 0) return;
    if (this.first) {
      this.chunks.push(...this.first.feed(buffer));
      this.offset += buffer.length;
      return;
    }
    const base = this.offset;
    this.newlines = new ByteCursor(buffer, NEWLINE);
    this.carriageReturns = new ByteCursor(buffer, CARRIAGE_RETURN);
    this.startsWithLf ??= buffer[0] === NEWLINE;
    // A CR ended the last buffer and this one starts with its LF: one pair, outside quotes where the CR was.
    if (this.lastByteCr && buffer[0] === NEWLINE) this.courseHere().crlf += 1;
    for (let at = 0; at < buffer.length;) {
      const quote = this.format === 'csv' ? buffer.indexOf(QUOTE, at) : -1;
      const stop = quote < 0 ? buffer.length : quote;
      this.region(base, at, stop);
      if (quote < 0) break;
      this.flipped = !this.flipped;
      at = quote + 1;
    }
    this.lastByteCr = buffer[buffer.length - 1] === CARRIAGE_RETURN;
    this.offset += buffer.length;
  }

  /** What the range holds, once every byte of it was fed. */
  finish(): RangeResult {
    if (this.offset !== this.end) throw new RangeError(`scanned the range [${this.start}, ${this.end}) up to ${this.offset}`);
    if (this.first) {
      return { kind: 'first', start: 0, end: this.end, chunks: this.chunks, open: this.first.openChunk(), state: this.first.here() };
    }
    const course = (entered: 0 | 1): RangeCourse => {
      // Outside quotes at the end: when entered outside and not flipped, or entered inside and flipped.
      const outsideAtEnd = this.flipped === (entered === 1);
      const { cuts, crlf } = this.courses[entered];
      return { cuts, crlf, quotedAtEnd: !outsideAtEnd, endsInCr: this.lastByteCr && outsideAtEnd };
    };
    return {
      kind: 'inner',
      start: this.start,
      end: this.end,
      lines: this.lines,
      startsWithLf: this.startsWithLf === true,
      outside: course(0),
      inside: this.format === 'csv' ? course(1) : undefined,
    };
  }

  /** The reading for which the bytes being scanned are outside quotes. */
  private courseHere(): Course {
    return this.courses[this.flipped ? 1 : 0];
  }

  /** Bytes `[from, stop)` of the buffer being fed (`base` its offset in the file), without a quote: every LF is a record boundary for one of the readings. */
  private region(base: number, from: number, stop: number): void {
    const course = this.courseHere();
    let at = from;
    while (course.nextGrid < this.end) {
      const wanted = Math.max(at, course.nextGrid - base);
      if (wanted >= stop) break;
      const newline = this.newlines.next(wanted);
      if (newline >= stop) break;
      this.count(at, newline + 1, course);
      at = newline + 1;
      course.cuts.push({ at: base + at, lines: this.lines, crlf: course.crlf });
      course.nextGrid = (Math.floor((base + newline) / this.chunkSize) + 1) * this.chunkSize;
    }
    this.count(at, stop, course);
  }

  private count(from: number, to: number, course: Course): void {
    this.lines += this.newlines.count(from, to);
    if (this.format !== 'csv') return;
    this.lines += this.carriageReturns.count(from, to);
    course.crlf += this.carriageReturns.countFollowedBy(NEWLINE, from, to);
  }
}
