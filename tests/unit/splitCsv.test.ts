import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitCsv } from '../../bench/peers/splitCsv';

describe('a CSV cut into parts for a loader that reads a folder in parallel', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'split-csv-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A CSV of `rows` rows of uneven lengths, and its lines. */
  function csv(rows: number, trailingNewline = true): { path: string; header: string; lines: string[] } {
    const header = 'dev_id,ts,value';
    const lines = Array.from(
      { length: rows },
      (_, n) => `turtle-${n % 7},2018-10-01T00:00:${String(n % 60).padStart(2, '0')}.000Z,${'9'.repeat(1 + (n % 13))}`,
    );
    const path = join(dir, 'readings.csv');
    writeFileSync(path, `${[header, ...lines].join('\n')}${trailingNewline ? '\n' : ''}`);
    return { path, header, lines };
  }

  it('puts the header first in every part and every row in exactly one part, in order', async () => {
    const { path, header, lines } = csv(1000);
    const parts = await splitCsv(path, 4);
    expect(parts.files).toHaveLength(4);
    expect(parts.dir).toBe(`${path}.parts-4`);
    const rows: string[] = [];
    for (const file of parts.files) {
      const [first, ...rest] = readFileSync(file, 'utf8').split('\n');
      expect(first).toBe(header);
      expect(rest.pop()).toBe('');
      expect(rest.length).toBeGreaterThan(200);
      rows.push(...rest);
    }
    expect(rows).toEqual(lines);
    expect(parts.bytes).toBe(statSync(path).size + 3 * (header.length + 1));
  });

  it('keeps the last row of a file that does not end in a newline', async () => {
    const { path, lines } = csv(10, false);
    const parts = await splitCsv(path, 3);
    const rows = parts.files.flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean));
    expect(rows).toEqual(lines);
  });

  it('makes fewer parts than asked when the file has fewer rows', async () => {
    const { path, lines } = csv(2);
    const parts = await splitCsv(path, 5);
    expect(parts.files.length).toBeLessThanOrEqual(2);
    expect(parts.files.flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1, -1))).toEqual(lines);
  });

  it('reuses the parts while they are newer than the file, and cuts again once the file changes', async () => {
    const { path } = csv(100);
    const first = await splitCsv(path, 2);
    const made = statSync(first.files[0]!).mtimeMs;
    expect((await splitCsv(path, 2)).files).toEqual(first.files);
    expect(statSync(first.files[0]!).mtimeMs).toBe(made);
    writeFileSync(path, 'dev_id,ts,value\na,b,1\nc,d,2\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const again = await splitCsv(path, 2);
    expect(again.files.map((file) => readFileSync(file, 'utf8'))).toEqual(['dev_id,ts,value\na,b,1\n', 'dev_id,ts,value\nc,d,2\n']);
  });

  it('refuses a number of parts that is not a positive whole number', async () => {
    const { path } = csv(3);
    await expect(splitCsv(path, 0)).rejects.toThrow(RangeError);
  });
});
