import { expect } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { CsvRecords } from '../../layers/platform/src/ingest/records/CsvRecords';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import type { SourceItem } from '../../layers/platform/src/ingest/records/SourceRecord';

/** A deterministic pseudo-random sequence, so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** Reads `text` fed in pieces of random sizes (as a stream delivers it). */
function read(text: string, seed = 1, maxRecordLength = 1024 * 1024): SourceItem[] {
  const next = random(seed);
  const records = new CsvRecords(maxRecordLength);
  const items: SourceItem[] = [];
  for (let at = 0; at < text.length;) {
    const size = 1 + Math.floor(next() * 40);
    items.push(...records.push(text.slice(at, at + size)));
    at += size;
  }
  items.push(...records.end());
  return items;
}

/** A well-formed CSV: quoted fields holding line breaks (LF, CR LF, CR), commas and doubled quotes; blank lines. */
function wellFormed(rows: number, seed: number, lineBreak: string): string {
  const next = random(seed);
  const cell = (): string => {
    const pick = next();
    if (pick < 0.15) return `"two\nlines, ""quoted"""`;
    if (pick < 0.25) return `"crlf\r\ninside"`;
    if (pick < 0.3) return `"a lone\rcr"`;
    if (pick < 0.35) return '""';
    if (pick < 0.4) return '';
    if (pick < 0.45) return `"${'x'.repeat(Math.floor(next() * 90))}"`;
    return `v${Math.floor(next() * 1000)}`;
  };
  const lines = ['id,note,value'];
  for (let n = 1; n <= rows; n += 1) {
    lines.push(`${n},${cell()},${cell()}`);
    if (next() < 0.05) lines.push('');
  }
  return `${next() < 0.5 ? '\uFEFF' : ''}${lines.join(lineBreak)}${next() < 0.5 ? lineBreak : ''}`;
}

/** What csv-parse reads from the same text: each record's fields by the header, and the line it ends on. */
function csvParseReads(text: string): SourceItem[] {
  const rows = parse(text, { bom: true, skip_empty_lines: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  const [header, ...records] = rows;
  const names = header?.record ?? [];
  return records.map(({ record, info }) => ({
    kind: 'record',
    record: { position: info.lines, fields: Object.fromEntries(names.map((name, index) => [name, record[index]])) },
  }));
}

describe('CSV records', () => {
  for (const lineBreak of ['\n', '\r\n']) {
    it(`reads well-formed files (${JSON.stringify(lineBreak)} records) as csv-parse does: the same fields, the same line numbers, in pieces of any size`, () => {
      for (let seed = 1; seed <= 40; seed += 1) {
        const text = wellFormed(60, seed, lineBreak);
        expect({ seed, items: read(text, seed) }).toEqual({ seed, items: csvParseReads(text) });
      }
    });
  }

  it('reads a file whose records end with a CR alone', () => {
    expect(read('a,b\r1,"x\ny"\r2,3\r')).toEqual([
      { kind: 'record', record: { position: 3, fields: { a: '1', b: 'x\ny' } } },
      { kind: 'record', record: { position: 4, fields: { a: '2', b: '3' } } },
    ]);
  });

  it('numbers records as in the whole file when told where the chunk starts', () => {
    const records = new CsvRecords(1024, 100);
    expect([...records.push('a,b\n1,2\n'), ...records.end()]).toEqual([{ kind: 'record', record: { position: 102, fields: { a: '1', b: '2' } } }]);
  });

  it('makes a record with a stray quote a bad row, with its reason and text, and reads on from where the cut would', () => {
    expect(read('a,b\n1,ab"c"d\n2,"x"y\n3,ok\n4,"unclosed\n')).toEqual([
      {
        kind: 'malformed',
        position: 2,
        reason: 'a quote inside an unquoted field ("ab\\"c\\"d"): quote the whole field and double the quotes in it',
        raw: '1,ab"c"d',
      },
      { kind: 'malformed', position: 3, reason: 'a closing quote must be followed by a comma or the end of the line, not "y"', raw: '2,"x"y' },
      { kind: 'record', record: { position: 4, fields: { a: '3', b: 'ok' } } },
      { kind: 'malformed', position: 6, reason: 'a quoted field is not closed before the end of the file', raw: '4,"unclosed\n' },
    ]);
    // A lone quote opens a quoted stretch, as it does for the cut: the record runs to the next quote and the line break after it.
    expect(read('a,b\n1,ab"c\n2,"x\n3,ok\n')).toEqual([
      {
        kind: 'malformed',
        position: 3,
        reason: 'a quote inside an unquoted field ("ab\\"c\\n2"): quote the whole field and double the quotes in it',
        raw: '1,ab"c\n2,"x',
      },
      { kind: 'record', record: { position: 4, fields: { a: '3', b: 'ok' } } },
    ]);
  });

  it('reports a record longer than the limit without holding it, and numbers the records after it right', () => {
    const long = `1,"${'y\n'.repeat(3000)}"`;
    const items = read(`a,b\n${long}\n2,ok\n`, 7, 1000);
    expect(items).toEqual([
      { kind: 'malformed', position: 3002, reason: 'the record is longer than 1000 characters' },
      { kind: 'record', record: { position: 3003, fields: { a: '2', b: 'ok' } } },
    ]);
    // Whether the record arrives in pieces or at once.
    expect(read(`a,b\n${long}\n2,ok\n`, 7, 1000)).toEqual(items);
    const whole = new CsvRecords(1000);
    expect([...whole.push(`a,b\n${long}\n2,ok\n`), ...whole.end()]).toEqual(items);
  });

  it('refuses a file without a header, or with a malformed or empty column name', () => {
    expect(() => read('')).toThrow(MalformedFileError);
    expect(() => read('\n\n')).toThrow(/the file is empty/);
    expect(() => read('a,,c\n1,2,3\n')).toThrow('line 1: the CSV header has an empty column name');
    expect(() => read('\na,"b"x\n')).toThrow(
      'line 2: the CSV header is malformed: a closing quote must be followed by a comma or the end of the line, not "x"',
    );
  });
});
