import { TextGuard } from '../records/TextGuard';

/** The bytes at a range's edges that it cannot check alone: a character split between it and the range before or after. */
export interface RangeSeam {
  /** UTF-8 continuation bytes the range starts with (at most 3): the end of a character that starts in the range before. */
  readonly head: readonly number[];
  /** A character the range ends in the middle of: its first bytes. */
  readonly tail: readonly number[];
}

const MAX_CONTINUATION = 3;

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * A {@link TextGuard} for one byte range of a file (see {@link RangeScan}): a
 * range starts and ends on a multiple of the chunk size, which may fall inside
 * a UTF-8 character. The range checks the characters that start in it and
 * keeps the bytes of the one split at each edge; {@link checkSeams} checks
 * those once every range is scanned, so a file planned in ranges is refused
 * whenever a scan of the whole would refuse it (for the first bad byte of the
 * range that finds one, which need not be the file's first).
 *
 * @example
 * const guard = new RangeTextGuard(start);
 * for await (const buffer of body) guard.check(buffer);
 * const seam = guard.end(end === size);
 */
export class RangeTextGuard {
  private guard: TextGuard | undefined;
  private readonly head: number[] = [];

  constructor(private readonly start: number) {
    if (start === 0) this.guard = new TextGuard(0);
  }

  check(buffer: Buffer): void {
    let from = 0;
    if (!this.guard) {
      while (from < buffer.length && this.head.length < MAX_CONTINUATION && isContinuation(buffer[from] as number)) {
        this.head.push(buffer[from] as number);
        from += 1;
      }
      if (from === buffer.length && this.head.length < MAX_CONTINUATION) return;
      this.guard = new TextGuard(this.start + this.head.length);
    }
    this.guard.check(from > 0 ? buffer.subarray(from) : buffer);
  }

  /** The range's seam bytes; the file's last range ends the text, so a character it leaves incomplete is refused at once. */
  end(last: boolean): RangeSeam {
    const tail = this.guard?.openTail() ?? Buffer.alloc(0);
    if (last) this.guard?.end();
    return { head: this.head, tail: last ? [] : [...tail] };
  }
}

/** Checks the characters split between ranges, given each range's start and seam in the file's order; throws a `MalformedFileError` as a {@link TextGuard} would. */
export function checkSeams(ranges: ReadonlyArray<{ readonly start: number; readonly seam: RangeSeam }>): void {
  ranges.forEach((range, index) => {
    const before = ranges[index - 1]?.seam.tail ?? [];
    const split = [...before, ...range.seam.head];
    if (split.length === 0) return;
    const guard = new TextGuard(range.start - before.length);
    guard.check(Buffer.from(split));
    guard.end();
  });
}
