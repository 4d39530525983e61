import type { ChunkSpan, CsvHeader } from './ChunkBoundaries';
import type { RangedFormat, RangeResult } from './RangeScan';

/** A file's chunks put together from its ranges, or why the ranges cannot say them (the file is then cut from its start, in one scan). */
export type Stitched =
  | { readonly kind: 'chunks'; readonly chunks: readonly ChunkSpan[]; readonly header: CsvHeader | undefined }
  | { readonly kind: 'sequential'; readonly why: string };

/**
 * The chunks of a file from the scans of its ranges (see {@link RangeScan}),
 * exactly those a scan of the whole file cuts: from the first range on, each
 * range is read in the state the range before it ends in (inside a quoted
 * field or not), its cuts kept and their line counts added up as csv-parse
 * numbers lines (a CR LF pair outside quotes once where CRLF delimits records,
 * a pair across two ranges too). `results` are the file's ranges in order.
 *
 * A CSV file whose header (or record delimiter) is not settled within the
 * first range cannot be stitched: its later ranges cannot tell the header's
 * line break from a record's.
 *
 * @example
 * const stitched = stitchRanges('csv', upload.size, results);
 */
export function stitchRanges(format: RangedFormat, size: number, results: readonly RangeResult[]): Stitched {
  const [first, ...rest] = results;
  if (first?.kind !== 'first') throw new RangeError('the first range is missing');
  results.forEach((result, index) => {
    const end = results[index + 1]?.start ?? size;
    if (result.end !== end || (index > 0 && result.kind !== 'inner'))
      throw new RangeError(`range ${index} is [${result.start}, ${result.end}), not up to ${end}`);
  });
  const { state } = first;
  const header = state.header;
  if (format === 'csv' && (!header || state.delimiter === undefined || state.delimiter === 'undecided-cr')) {
    return { kind: 'sequential', why: `the CSV header does not end within the first ${first.end} bytes` };
  }
  const crlf = format === 'csv' && state.delimiter === 'crlf';
  const position = (newlines: number): number => newlines - (header?.newlines ?? 0);
  const starts: Array<{ start: number; positionOffset: number }> = [...first.chunks, first.open];
  let lines = state.newlines;
  let quoted = state.quoted;
  let endsInCr = state.pendingCr;
  for (const range of rest) {
    if (range.kind !== 'inner') continue;
    const course = quoted && range.inside ? range.inside : range.outside;
    // A CR LF pair split between this range and the one before counts once too.
    const seam = crlf && endsInCr && range.startsWithLf ? 1 : 0;
    const linesTo = (counted: number, pairs: number): number => lines + counted - (crlf ? pairs + seam : 0);
    for (const cut of course.cuts) {
      // The file's end ends the last chunk; no chunk starts there.
      if (cut.at < size) starts.push({ start: cut.at, positionOffset: position(linesTo(cut.lines, cut.crlf)) });
    }
    lines = linesTo(range.lines, course.crlf);
    quoted = course.quotedAtEnd;
    endsInCr = course.endsInCr;
  }
  const chunks = starts.map(({ start, positionOffset }, index) => ({ index, start, end: starts[index + 1]?.start ?? size, positionOffset }));
  return { kind: 'chunks', chunks, header };
}
