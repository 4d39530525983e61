import { expect } from '@jest/globals';
import { Readable } from 'node:stream';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { readRecords } from '../../layers/platform/src/ingest/records/readRecords';
import type { SourceItem } from '../../layers/platform/src/ingest/records/SourceRecord';
import type { TextFormat } from '../../layers/platform/src/tenants/FileFormat';

async function read(text: string | Buffer[], format: TextFormat): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  const stream = typeof text === 'string' ? Readable.from([Buffer.from(text)]) : Readable.from(text);
  for await (const batch of readRecords(stream, format)) items.push(...batch);
  return items;
}

describe('reading CSV', () => {
  it('maps each line to its header, with line numbers', async () => {
    const items = await read('a,b\n1,2\n"x, y",3\n', 'csv');
    expect(items).toEqual([
      { kind: 'record', record: { position: 2, fields: { a: '1', b: '2' } } },
      { kind: 'record', record: { position: 3, fields: { a: 'x, y', b: '3' } } },
    ]);
  });

  it('keeps every column of a header that repeats a name: a,a,b reads as a, a_2, b', async () => {
    expect(await read('a,a,b,a_2\n1,2,3,4\n', 'csv')).toEqual([{ kind: 'record', record: { position: 2, fields: { a: '1', a_3: '2', b: '3', a_2: '4' } } }]);
    expect(await read('x,x,x\n1,2,3\n', 'csv')).toEqual([{ kind: 'record', record: { position: 2, fields: { x: '1', x_2: '2', x_3: '3' } } }]);
  });

  it('reports a line with the wrong number of fields, and reads on', async () => {
    const items = await read('a,b\n1,2\n3\n4,5,6\n7,8\n', 'csv');
    expect(items.filter((item) => item.kind === 'record')).toHaveLength(2);
    const malformed = items.filter((item) => item.kind === 'malformed');
    expect(malformed.map((item) => item.kind === 'malformed' && item.position)).toEqual([3, 4]);
    expect(malformed[0]).toMatchObject({ reason: 'expected 2 fields, found 1' });
  });

  it('rejects a file without a header', async () => {
    await expect(read('', 'csv')).rejects.toThrow(MalformedFileError);
    await expect(read('a,,c\n1,2,3\n', 'csv')).rejects.toThrow(/empty column name/);
  });
});

describe('reading NDJSON', () => {
  it('reads objects and reports what is not one, with line numbers', async () => {
    const items = await read('{"a":1}\n\n{"a":\n[1]\n{"a":2}', 'ndjson');
    expect(items).toEqual([
      { kind: 'record', record: { position: 1, fields: { a: 1 } } },
      { kind: 'malformed', position: 3, reason: expect.stringMatching(/invalid JSON/), raw: '{"a":' },
      { kind: 'malformed', position: 4, reason: 'expected a JSON object', raw: '[1]' },
      { kind: 'record', record: { position: 5, fields: { a: 2 } } },
    ]);
  });

  it('joins lines split across chunks and refuses an endless line without holding it', async () => {
    const chunks = [Buffer.from('{"a":'), Buffer.from('1}\n{"b"'), Buffer.from(':2}\n'), Buffer.alloc(3 * 1024 * 1024, 'x'), Buffer.from('\n{"c":3}\n')];
    const items = await read(chunks, 'ndjson');
    expect(items.map((item) => (item.kind === 'record' ? item.record.fields : item.reason))).toEqual([
      { a: 1 },
      { b: 2 },
      expect.stringMatching(/longer than/),
      { c: 3 },
    ]);
  });
});

describe('reading a JSON array', () => {
  it('streams the elements, numbered', async () => {
    const items = await read('[{"a":1}, 2, {"a":3}]', 'json');
    expect(items).toEqual([
      { kind: 'record', record: { position: 1, fields: { a: 1 } } },
      { kind: 'malformed', position: 2, reason: 'expected a JSON object', raw: '2' },
      { kind: 'record', record: { position: 3, fields: { a: 3 } } },
    ]);
  });

  it('rejects broken JSON and a top level that is not an array', async () => {
    await expect(read('[{"a":1}, {"a":', 'json')).rejects.toThrow(MalformedFileError);
    await expect(read('{"a":1}', 'json')).rejects.toThrow(/one array of objects/);
  });
});

describe('a source that fails while it is read', () => {
  /** A stream that gives a first piece of a well-formed file, then fails as a cut-off storage read does. */
  function cutOff(first: string): Readable {
    let sent = false;
    return new Readable({
      read() {
        if (sent) {
          this.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
          return;
        }
        sent = true;
        this.push(Buffer.from(first));
      },
    });
  }

  it.each([
    ['csv', 'a,b\n1,2\n3,'],
    ['json', '[{"a":1},{"a":'],
    ['ndjson', '{"a":1}\n{"a":'],
  ] as const)('passes the failure of a %s source on as it is: it is retried, never called malformed', async (format, first) => {
    const items: SourceItem[] = [];
    const reading = (async () => {
      for await (const batch of readRecords(cutOff(first), format)) items.push(...batch);
    })();
    await expect(reading).rejects.toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
    await expect(reading).rejects.not.toBeInstanceOf(MalformedFileError);
  });
});
