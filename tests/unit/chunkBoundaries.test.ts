import { Readable } from 'node:stream';
import { ChunkBoundaries, type ChunkSpan } from '../../layers/platform/src/ingest/files/ChunkBoundaries';
import { readChunkSourceRecords } from '../../layers/platform/src/ingest/files/readChunkSourceRecords';
import { readRecords } from '../../layers/platform/src/ingest/records/readRecords';
import type { SourceBatch, SourceItem } from '../../layers/platform/src/ingest/records/SourceRecord';
import type { TextFormat } from '../../layers/platform/src/tenants/FileFormat';

/** A deterministic pseudo-random sequence, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** A CSV whose quoted fields hold line breaks, commas, doubled quotes and CRLFs, with some bad lines. */
function trickyCsv(rows: number, seed = 1, lineBreak = '\n', before = '\uFEFF'): Buffer {
  const next = random(seed);
  const lines = ['id,"note, with comma",value'];
  for (let n = 1; n <= rows; n += 1) {
    const pick = next();
    const note =
      pick < 0.25
        ? `"line one\nline two, ""quoted"", end"`
        : pick < 0.4
          ? `"a,b,c"`
          : pick < 0.5
            ? `"multi\r\nline\n\nfield"`
            : pick < 0.55
              ? `""`
              : `plain-${n}`;
    lines.push(n % 97 === 0 ? `${n},only two` : `${n},${note},${Math.round(next() * 1000)}`);
  }
  return Buffer.from(`${before}${lines.join(lineBreak)}${lineBreak}`);
}

function ndjson(rows: number, seed = 2): Buffer {
  const next = random(seed);
  const lines: string[] = [];
  for (let n = 1; n <= rows; n += 1) {
    if (n % 53 === 0) lines.push('{not json');
    else if (n % 71 === 0) lines.push('');
    else
      lines.push(JSON.stringify({ id: n, text: `quote " and \\ backslash, comma [${'x'.repeat(Math.floor(next() * 40))}]`, nested: { a: [1, { b: '}' }] } }));
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

function jsonArray(rows: number, seed = 3): Buffer {
  const next = random(seed);
  const elements = Array.from({ length: rows }, (_, index) => {
    const n = index + 1;
    if (n % 41 === 0) return '"not an object"';
    return JSON.stringify({
      id: n,
      text: `a "quoted", string \\" with ] and } and \\\\`,
      list: [n, [n, { deep: ',' }]],
      pad: 'y'.repeat(Math.floor(next() * 30)),
    });
  });
  return Buffer.from(`[\n  ${elements.join(',\n  ')}\n]\n`);
}

/** Scans `file` in buffers of varying sizes, as a stream delivers it. */
function plan(format: TextFormat, file: Buffer, chunkSize: number, seed: number): ChunkSpan[] {
  const next = random(seed);
  const scan = new ChunkBoundaries(format, chunkSize);
  const chunks: ChunkSpan[] = [];
  for (let at = 0; at < file.length;) {
    const size = 1 + Math.floor(next() * 300);
    chunks.push(...scan.feed(file.subarray(at, at + size)));
    at += size;
  }
  const last = scan.finish(file.length);
  return last ? [...chunks, last] : chunks;
}

async function collect(batches: AsyncIterable<SourceBatch>): Promise<SourceItem[]> {
  const all: SourceItem[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

async function readChunked(format: TextFormat, file: Buffer, chunks: readonly ChunkSpan[], headerEnd: number): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for (const chunk of chunks) {
    const body = Readable.from([file.subarray(chunk.start, chunk.end)]);
    const header = Readable.from([file.subarray(0, headerEnd)]);
    items.push(...(await collect(readChunkSourceRecords(format, chunk, { body, header }, file.length))));
  }
  return items;
}

/** Items in a comparable order: malformed items come out of csv-parse a little later than the records around them. */
function sorted(items: SourceItem[]): SourceItem[] {
  const position = (item: SourceItem): number => (item.kind === 'record' ? item.record.position : item.position);
  return [...items].sort((a, b) => position(a) - position(b) || a.kind.localeCompare(b.kind));
}

describe('chunk boundaries', () => {
  const cases: Array<[TextFormat, Buffer]> = [
    ['csv', trickyCsv(600)],
    ['csv', trickyCsv(600, 4, '\r\n')],
    ['csv', trickyCsv(300, 5, '\r\n', '\r\n\r\n')],
    ['ndjson', ndjson(600)],
    ['json', jsonArray(600)],
  ];

  for (const [format, file] of cases) {
    for (const chunkSize of [1, 97, 1000, 4096, 100_000]) {
      it(`reads a ${format} file (${file.subarray(0, 12).toString('hex')}…) chunk by chunk exactly as whole (chunks of ${chunkSize} bytes)`, async () => {
        const chunks = plan(format, file, chunkSize, chunkSize);
        expect(chunks[0]?.start).toBe(0);
        expect(chunks.at(-1)?.end).toBe(file.length);
        chunks.forEach((chunk, index) => {
          expect(chunk.index).toBe(index);
          if (index > 0) expect(chunk.start).toBe(chunks[index - 1]?.end);
          // Every chunk but the last ends at the first record boundary at or after a grid point (a multiple of the chunk size).
          const boundaryByte = (at: number): number => (format === 'json' ? at : at - 1);
          if (index < chunks.length - 1)
            expect(Math.floor(boundaryByte(chunk.end) / chunkSize)).toBeGreaterThan(Math.floor(boundaryByte(chunk.start) / chunkSize));
        });
        expect(chunks.length).toBeLessThanOrEqual(Math.ceil(file.length / chunkSize));
        const header = new ChunkBoundaries(format, chunkSize);
        header.feed(file);
        const whole = await collect(readRecords(Readable.from([file]), format));
        const chunked = await readChunked(format, file, chunks, header.csvHeader?.end ?? 0);
        expect(sorted(chunked)).toEqual(sorted(whole));
        expect(whole.filter((item) => item.kind === 'record').length).toBeGreaterThan(250);
      });
    }
  }

  it('cuts CSV only outside quoted fields', () => {
    const file = Buffer.from('a,b\n1,"x\ny"\n2,"p\nq"\n3,z\n');
    const chunks = plan('csv', file, 1, 7);
    const starts = chunks.map((chunk) => file.subarray(chunk.start, chunk.end).toString());
    expect(starts).toEqual(['a,b\n1,"x\ny"\n', '2,"p\nq"\n', '3,z\n']);
    expect(chunks.map((chunk) => chunk.positionOffset)).toEqual([0, 2, 4]);
  });

  it('goes on from a saved state as if it had never stopped', () => {
    const file = trickyCsv(300, 9);
    const full = plan('csv', file, 2000, 1);
    const first = new ChunkBoundaries('csv', 2000);
    const before = first.feed(file.subarray(0, 9000));
    const state = JSON.parse(JSON.stringify(first.state())) as ReturnType<ChunkBoundaries['state']>;
    expect(state.offset).toBe(before.at(-1)?.end);
    const rest = new ChunkBoundaries('csv', 2000, state);
    const after = [...rest.feed(file.subarray(state.offset)), rest.finish(file.length)].filter((chunk) => chunk !== undefined);
    expect([...before, ...after]).toEqual(full);
  });

  it('refuses a JSON file that is not one array', () => {
    expect(() => new ChunkBoundaries('json', 10).feed(Buffer.from('{"a": 1}'))).toThrow('a .json file must hold one array of objects');
    expect(() => new ChunkBoundaries('json', 10).feed(Buffer.from('[1] [2]'))).toThrow('a .json file must hold one array of objects');
    const open = new ChunkBoundaries('json', 10);
    open.feed(Buffer.from('[{"a": 1}, {"b": '));
    expect(() => open.finish(17)).toThrow('the file ends inside the array');
  });
});
