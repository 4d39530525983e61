import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { UploadRef } from '../../layers/platform/src/ingest/files/ChunkTask';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { jsonText } from '../../layers/platform/src/ingest/records/jsonText';
import { itemsOf, type SourceBatch, type SourceItem } from '../../layers/platform/src/ingest/records/SourceRecord';
import { planParquetChunks, rowGroupsOf } from '../../layers/platform/src/ingest/parquet/parquetChunks';
import { decimalText, parquetColumns } from '../../layers/platform/src/ingest/parquet/parquetColumns';
import { parquetFileColumns, readParquetRecords } from '../../layers/platform/src/ingest/parquet/readParquetRecords';
import { UploadText } from '../../layers/platform/src/ingest/files/UploadText';
import { asReal } from './fakes/Public';
import { FakeIngestBucket } from './fakes/FakeIngestBucket';
import { EVERY_TYPE_COLUMNS, everyTypeFields, everyTypeWithHyparquet } from '../helpers/parquet/everyTypeTable';

const KEY = 'tenants/zoo/incoming/b/every.parquet';

function uploaded(body: Buffer): { bucket: FakeIngestBucket; upload: UploadRef } {
  const bucket = new FakeIngestBucket();
  const stored = bucket.upload(KEY, body);
  const upload: UploadRef = {
    tenant: 'zoo',
    batchId: 'b',
    ingestionId: 'b-1',
    fileName: 'every.parquet',
    format: 'parquet',
    key: KEY,
    versionId: stored.versionId,
    etag: stored.etag,
    version: stored.versionId,
    size: stored.size,
  };
  return { bucket, upload };
}

async function all(batches: AsyncGenerator<SourceBatch>): Promise<SourceItem[]> {
  const items = itemsOf(batches);
  const read: SourceItem[] = [];
  for await (const item of items) read.push(item);
  return read;
}

describe('a Parquet file read as records', () => {
  const rows = 600;
  const body = everyTypeWithHyparquet(rows, 200);

  it('gives every row with its number in the file and every type as a tenant app sees it, nulls as null', async () => {
    const { bucket, upload } = uploaded(body);
    const items = await all(readParquetRecords(new UploadText(asReal(bucket)), upload));
    expect(items).toHaveLength(rows);
    items.forEach((item, n) => {
      expect(item).toEqual({ kind: 'record', record: { position: n + 1, fields: everyTypeFields(n) } });
    });
    // The cases that matter, spelled out.
    const fields = (n: number) => (items[n] as { record: { fields: Record<string, unknown> } }).record.fields;
    expect(fields(1)).toMatchObject({ i64: 2n ** 60n + 1n, price: '-48.99', ts_us: new Date(-1), uid: '123e4567-e89b-42d3-a456-000000000001' });
    expect(fields(0)).toMatchObject({ i64: -7, raw: Buffer.from([0, 0, 255, 0]), day: '2024-02-29', tags: [], big_amount: '-1.2345' });
    expect(fields(4)).toMatchObject({ big_amount: '3999999999999999999998.7659', point: { x: 1, label: 'p4' }, tags: [] });
    expect(fields(3)).toMatchObject({ point: { x: 0.75, label: null }, tags: ['t3', 'u3'] });
    expect(Object.values(fields(2)).filter((value) => value !== null)).toEqual([2]);
  });

  it('maps every Parquet type to the CQL type the generic app makes its column', async () => {
    const { bucket, upload } = uploaded(body);
    const columns = await parquetFileColumns(new UploadText(asReal(bucket)), upload);
    expect(columns.map(({ name, type }) => ({ name, type }))).toEqual(EVERY_TYPE_COLUMNS.map(({ name, cqlType }) => ({ name, type: cqlType })));
  });

  it('reads a chunk: only its row groups, numbered in the whole file, each with one ranged GET besides the footer', async () => {
    const { bucket, upload } = uploaded(body);
    const metadata = parquetMetadata(new Uint8Array(body));
    // Chunks as large as the largest row group: one row group each.
    const largest = Math.max(...rowGroupsOf(metadata, body.length).map((group) => group.end - group.start));
    const chunks = planParquetChunks(metadata, largest, body.length);
    expect(body.length).toBeGreaterThan(3 * 16 * 1024);
    expect(chunks.map((chunk) => chunk.positionOffset)).toEqual([0, 200, 400]);
    const second = chunks[1];
    if (!second) throw new Error('expected a second chunk');
    const items = await all(readParquetRecords(new UploadText(asReal(bucket)), upload, second));
    expect(items.map((item) => (item.kind === 'record' ? item.record.position : 0))).toEqual(Array.from({ length: 200 }, (_, n) => n + 201));
    // The footer (the tail of the object), then the row group: never the whole object.
    expect(bucket.ranges.every(({ start, end }) => end - start < body.length)).toBe(true);
    expect(bucket.ranges.filter(({ end }) => end !== body.length)).toEqual([{ key: KEY, start: second.start, end: second.end }]);
  });

  it.each([
    ['text renamed .parquet', Buffer.from('id,value\na,1\nb,2\nc,3\n'), /^the file is not Parquet: it does not end with "PAR1"/],
    ['a file too short to be Parquet', Buffer.from('PAR1'), /^the file is not Parquet: it holds 4 bytes/],
    ['a file cut short', body.subarray(0, body.length - 100), /^the file is not Parquet: it does not end with "PAR1"/],
    [
      'a damaged footer',
      Buffer.concat([body.subarray(0, body.length - 8), Buffer.from([0xff, 0xff, 0, 0]), Buffer.from('PAR1')]),
      /^the file's Parquet footer cannot be read/,
    ],
  ])('refuses %s as malformed, saying what is wrong', async (_what, bytes, reason) => {
    const { bucket, upload } = uploaded(bytes);
    const thrown = await all(readParquetRecords(new UploadText(asReal(bucket)), upload)).catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(MalformedFileError);
    expect((thrown as Error).message).toMatch(reason);
  });

  it('throws a storage failure as it is, to be retried, not as a malformed file', async () => {
    const { bucket, upload } = uploaded(body);
    const reset = new Error('socket hang up');
    bucket.fail('openRange', reset);
    await expect(all(readParquetRecords(new UploadText(asReal(bucket)), upload))).rejects.toBe(reset);
  });

  it('reads a row group larger than a slice in slices, every row once', async () => {
    // 200 columns: a slice is 5242 rows, so 6,000 rows in one row group are read in two slices.
    const columnData = Array.from({ length: 200 }, (_, column) => ({
      name: `c${column}`,
      data: Int32Array.from({ length: 6000 }, (_, n) => n * 200 + column),
      type: 'INT32' as const,
      nullable: false,
    }));
    const { bucket, upload } = uploaded(Buffer.from(parquetWriteBuffer({ columnData, rowGroupSize: 6000 })));
    let count = 0;
    for await (const item of itemsOf(readParquetRecords(new UploadText(asReal(bucket)), upload))) {
      if (item.kind !== 'record') throw new Error('expected a record');
      const n = item.record.position - 1;
      expect(item.record.fields.c0).toBe(n * 200);
      expect(item.record.fields.c199).toBe(n * 200 + 199);
      count += 1;
    }
    expect(count).toBe(6000);
  });
});

describe('Parquet values as text', () => {
  it('makes a decimal exact text at its scale', () => {
    expect(decimalText(12345n, 2)).toBe('123.45');
    expect(decimalText(-5n, 3)).toBe('-0.005');
    expect(decimalText(7n, 0)).toBe('7');
  });

  it('writes a BigInt, bytes and a Date as well-defined JSON', () => {
    expect(jsonText({ small: 12n, big: 2n ** 64n, raw: Buffer.from('hi'), view: Uint8Array.of(1, 2), at: new Date(0) })).toBe(
      '{"small":12,"big":"18446744073709551616","raw":"aGk=","view":"AQI=","at":"1970-01-01T00:00:00.000Z"}',
    );
  });

  it('types a column from its Parquet annotations, not its values', () => {
    const metadata = parquetMetadata(
      parquetWriteBuffer({
        columnData: [
          { name: 'u32', data: [1] },
          { name: 'u64', data: [1n] },
          { name: 'since_midnight', data: [1n] },
          { name: 'mood', data: [Uint8Array.of(104, 105)] },
          { name: 'doc', data: [{ a: 1 }] },
        ],
        schema: [
          { name: 'root', num_children: 5 },
          { name: 'u32', type: 'INT32', converted_type: 'UINT_32' },
          { name: 'u64', type: 'INT64', converted_type: 'UINT_64' },
          { name: 'since_midnight', type: 'INT64', logical_type: { type: 'TIME', isAdjustedToUTC: true, unit: 'MICROS' } },
          { name: 'mood', type: 'BYTE_ARRAY', converted_type: 'ENUM' },
          { name: 'doc', type: 'BYTE_ARRAY', converted_type: 'JSON' },
        ],
      }),
    );
    const columns = parquetColumns(metadata);
    expect(columns.map(({ name, type }) => `${name}: ${type}`)).toEqual(['u32: bigint', 'u64: decimal', 'since_midnight: bigint', 'mood: text', 'doc: text']);
    expect(columns.find((column) => column.name === 'mood')?.value(Uint8Array.of(104, 105))).toBe('hi');
    expect(columns.find((column) => column.name === 'u64')?.value(2n ** 63n)).toBe(2n ** 63n);
  });
});
