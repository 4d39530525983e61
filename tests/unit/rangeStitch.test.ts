import { ChunkBoundaries, type ChunkSpan } from '../../layers/platform/src/ingest/files/ChunkBoundaries';
import { RangeScan, type RangedFormat, type RangeResult } from '../../layers/platform/src/ingest/files/RangeScan';
import { checkSeams, RangeTextGuard, type RangeSeam } from '../../layers/platform/src/ingest/files/RangeTextGuard';
import { stitchRanges } from '../../layers/platform/src/ingest/files/stitchRanges';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { TextGuard } from '../../layers/platform/src/ingest/records/TextGuard';

/** A deterministic pseudo-random sequence (mulberry32), so that a failing seed can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

/** Bits a quoted CSV field is made of: line breaks of every kind, doubled quotes, commas, multi-byte characters. */
const QUOTED_BITS = ['\n', '\r', '\r\n', '""', ',', 'ab', 'x', 'é', '€', '😀', ' ', '\n\n', '"",'];
/** A stray CR outside quotes too: csv-parse numbers it as a line, so the counts must. */
const PLAIN_BITS = ['a', 'bc', '12', 'é', ' ', 'z9', '€', '\r'];

/**
 * A CSV file whose records hold quoted fields with line breaks (LF, CR, CRLF),
 * doubled quotes and commas at every place, blank lines, LF, CRLF or CR
 * records, sometimes a BOM and blank lines before the header.
 */
function generatedCsv(next: () => number): Buffer {
  // CR-delimited files too: their records end at a CR, which never cuts a chunk.
  const lineBreak = pick(next, ['\n', '\n', '\r\n', '\r\n', '\r']);
  const field = (): string => {
    const kind = next();
    if (kind < 0.45) {
      const bits = Array.from({ length: Math.floor(next() * 6) }, () => pick(next, QUOTED_BITS));
      return `"${bits.join('')}"`;
    }
    if (kind < 0.5) return '';
    return Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(next, PLAIN_BITS)).join('');
  };
  const before = `${next() < 0.2 ? '\uFEFF' : ''}${next() < 0.2 ? lineBreak.repeat(1 + Math.floor(next() * 2)) : ''}`;
  const header = next() < 0.2 ? 'id,"no\nte",v' : 'id,note,v';
  const lines = [header];
  const records = 20 + Math.floor(next() * 120);
  for (let n = 0; n < records; n += 1) {
    if (next() < 0.08) lines.push('');
    lines.push(Array.from({ length: 1 + Math.floor(next() * 4) }, field).join(','));
  }
  return Buffer.from(`${before}${lines.join(lineBreak)}${next() < 0.8 ? lineBreak : ''}`);
}

/** NDJSON lines with quotes, escaped quotes, braces and multi-byte characters in their strings, and blank lines. */
function generatedNdjson(next: () => number): Buffer {
  const lines: string[] = [];
  const records = 20 + Math.floor(next() * 120);
  for (let n = 0; n < records; n += 1) {
    if (next() < 0.08) lines.push('');
    lines.push(
      JSON.stringify({ id: n, note: Array.from({ length: Math.floor(next() * 5) }, () => pick(next, ['"', '\\', '{', ',', 'é', 'ab', '😀'])).join('') }),
    );
  }
  return Buffer.from(`${lines.join('\n')}${next() < 0.8 ? '\n' : ''}`);
}

/** Feeds `bytes` in pieces of random sizes, as a stream delivers them. */
function inPieces(bytes: Buffer, next: () => number, feed: (piece: Buffer) => void): void {
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(next() * 40);
    feed(bytes.subarray(at, at + size));
    at += size;
  }
}

function sequential(format: RangedFormat, file: Buffer, chunkSize: number, next: () => number): { chunks: ChunkSpan[]; scan: ChunkBoundaries } {
  const scan = new ChunkBoundaries(format, chunkSize);
  const chunks: ChunkSpan[] = [];
  inPieces(file, next, (piece) => chunks.push(...scan.feed(piece)));
  const last = scan.finish(file.length);
  return { chunks: last ? [...chunks, last] : chunks, scan };
}

/** Each range scanned on its own (in a shuffled order, as invocations would), its text guarded. */
function ranges(format: RangedFormat, file: Buffer, chunkSize: number, rangeBytes: number, next: () => number) {
  const starts = Array.from({ length: Math.ceil(file.length / rangeBytes) }, (_, index) => index * rangeBytes);
  const results = new Map<number, { scan: RangeResult; seam: RangeSeam; start: number }>();
  for (const start of [...starts].sort(() => next() - 0.5)) {
    const end = Math.min(file.length, start + rangeBytes);
    const scan = new RangeScan(format, chunkSize, start, end);
    const guard = new RangeTextGuard(start);
    inPieces(file.subarray(start, end), next, (piece) => {
      guard.check(piece);
      scan.feed(piece);
    });
    results.set(start, { scan: scan.finish(), seam: guard.end(end === file.length), start });
  }
  return starts.map((start) => results.get(start) as { scan: RangeResult; seam: RangeSeam; start: number });
}

describe('planning a file in ranges', () => {
  /** Files per format: NDJSON has one state to read a range in, CSV two. */
  const SEEDS = { csv: 200, ndjson: 100 };

  for (const format of ['csv', 'ndjson'] as const) {
    it(`stitches exactly the chunks a scan of the whole ${format} file cuts (${SEEDS[format]} files, small chunks, several range sizes)`, () => {
      let stitchedFiles = 0;
      for (let seed = 1; seed <= SEEDS[format]; seed += 1) {
        const next = random(seed);
        const file = format === 'csv' ? generatedCsv(next) : generatedNdjson(next);
        for (const chunkSize of [3, 7, 16, 50]) {
          for (const rangeChunks of [1, 2, 3, 5]) {
            const rangeBytes = chunkSize * rangeChunks;
            if (file.length <= rangeBytes) continue;
            const whole = sequential(format, file, chunkSize, next);
            const parts = ranges(format, file, chunkSize, rangeBytes, next);
            const stitched = stitchRanges(
              format,
              file.length,
              parts.map((part) => part.scan),
            );
            // A CSV file whose header ends past the first range goes back to the sequential cut.
            const headerInFirst = format === 'ndjson' || (whole.scan.csvHeader?.end ?? Number.POSITIVE_INFINITY) <= rangeBytes;
            const expected = headerInFirst
              ? { kind: 'chunks', chunks: whole.chunks, header: whole.scan.csvHeader }
              : { kind: 'sequential', why: `the CSV header does not end within the first ${rangeBytes} bytes` };
            if (JSON.stringify(stitched) !== JSON.stringify(expected)) {
              // Compared as text first: the context is only made for a failure.
              expect({ seed, chunkSize, rangeBytes, file: file.toString(), stitched }).toEqual({
                seed,
                chunkSize,
                rangeBytes,
                file: file.toString(),
                stitched: expected,
              });
            }
            if (stitched.kind === 'chunks') stitchedFiles += 1;
            checkSeams(parts);
          }
        }
      }
      // Most are stitched (the rest: a header past the first range, a CR-delimited CSV file).
      expect(stitchedFiles).toBeGreaterThan(SEEDS[format] * 8);
    });
  }

  it('cuts on a grid: a chunk ends at the first record boundary at or after a multiple of the chunk size', () => {
    const file = Buffer.from('h\n1234567\n12\n1\n123456789012345\n1\n');
    // Grid points 4, 8, 12, 16...: the line breaks at 9 (for 4 and 8), 12 (for 12), 30 (for 16 to 28); none for the one at 14.
    expect(sequential('csv', file, 4, random(1)).chunks.map((chunk) => [chunk.start, chunk.end])).toEqual([
      [0, 10],
      [10, 13],
      [13, 31],
      [31, 33],
    ]);
  });

  it('hands a CSV file whose header runs past the first range back to the sequential cut', () => {
    const file = Buffer.from(`"a very long\nheader",b\n${'1,2\n'.repeat(20)}`);
    const parts = ranges('csv', file, 4, 8, random(2));
    expect(
      stitchRanges(
        'csv',
        file.length,
        parts.map((part) => part.scan),
      ),
    ).toEqual({ kind: 'sequential', why: 'the CSV header does not end within the first 8 bytes' });
  });

  it('refuses a file for a byte that is not UTF-8 wherever it lies, as a scan of the whole file does', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const next = random(seed);
      const text = generatedCsv(next);
      const file = Buffer.from(text);
      const at = Math.floor(next() * file.length);
      file[at] = pick(next, [0x80, 0xbf, 0xc3, 0xe2, 0xf0, 0xff, 0x00, file[at] as number]);
      const wholeGuard = new TextGuard();
      const refusedWhole = (() => {
        try {
          wholeGuard.check(file);
          wholeGuard.end();
          return false;
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedFileError);
          return true;
        }
      })();
      for (const rangeBytes of [4, 9, 30]) {
        const refusedInRanges = (() => {
          try {
            checkSeams(ranges('csv', file, rangeBytes, rangeBytes, next));
            return false;
          } catch (error) {
            expect(error).toBeInstanceOf(MalformedFileError);
            return true;
          }
        })();
        expect([seed, rangeBytes, refusedInRanges]).toEqual([seed, rangeBytes, refusedWhole]);
      }
    }
  });
});
