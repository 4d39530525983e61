/**
 * The places of one byte in a buffer, found in order and remembered, for a
 * scan that counts it stretch by stretch (between two quotes of a CSV file):
 * `Buffer.indexOf` looks on to the buffer's end, so counting a byte the file
 * seldom holds (a CR in an LF file) with it at every quote would look over
 * the rest of the buffer each time. Stretches asked for in order cost one
 * pass over the buffer in all.
 *
 * @example
 * const carriageReturns = new ByteCursor(buffer, 13);
 * lines += carriageReturns.count(from, quote);
 */
export class ByteCursor {
  /** The first place of the byte at or after `searchedFrom` (the buffer's length when there is none). */
  private found = -1;
  private searchedFrom = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly byte: number,
  ) {}

  /** The first place of the byte at or after `from`, or the buffer's length. */
  next(from: number): number {
    if (from < this.searchedFrom || from > this.found) {
      const found = this.buffer.indexOf(this.byte, from);
      this.found = found < 0 ? this.buffer.length : found;
      this.searchedFrom = from;
    }
    return this.found;
  }

  /** Places of the byte in `[from, to)`. */
  count(from: number, to: number): number {
    let count = 0;
    for (let at = this.next(from); at < to; at = this.next(at + 1)) count += 1;
    return count;
  }

  /** Places of the byte in `[from, to)` that `following` comes right after, inside the stretch (a CR LF pair). */
  countFollowedBy(following: number, from: number, to: number): number {
    let count = 0;
    for (let at = this.next(from); at + 1 < to; at = this.next(at + 1)) if (this.buffer[at + 1] === following) count += 1;
    return count;
  }
}
