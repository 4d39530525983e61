import { Readable } from 'node:stream';
import { RowValues } from '../../layers/platform/src/cassandra/RowValues';
import type { TableRow, TableSpec } from '../../layers/platform/src/cassandra/TableSpec';
import type { BatchIngestPlan } from '../../layers/platform/src/ingest/apps/BatchIngestApp';
import type { UploadRef } from '../../layers/platform/src/ingest/files/ChunkTask';
import { scanSourceRecords } from '../../layers/platform/src/ingest/files/scanSourceRecords';
import { PARTS_ON_THEIR_WAY, RowKeeper, RowsInMemory, VALIDATED_ROWS_PART_BYTES, ValidatedRows } from '../../layers/platform/src/ingest/files/ValidatedRows';
import { readRecords } from '../../layers/platform/src/ingest/records/readRecords';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';
import { FakeIngestBucket } from './fakes/FakeIngestBucket';
import { asReal } from './fakes/Public';

const readings: TableSpec = {
  name: 'readings',
  columns: { id: 'text', day: 'date', at: 'timestamp', value: 'double' },
  partitionKey: ['id', 'day'],
  clusteringKey: [{ column: 'at', order: 'ASC' }],
};

const upload: UploadRef = {
  tenant: 'zoo',
  batchId: 'b1',
  ingestionId: 'i1',
  fileName: 'readings.csv',
  format: 'csv',
  key: 'tenants/zoo/incoming/b1/readings.csv',
  versionId: 'v1',
  etag: 'e1',
  version: 'v1',
  size: 0,
};

/**
 * The app of these tests: a reading per line; a value of "bad" fails the app's own check, and a day the app hands
 * over as it is ("someday") is one the driver refuses to write.
 */
const plan: BatchIngestPlan = {
  tables: [readings],
  toRows(record) {
    const { id, day, value } = record.fields as Record<string, string>;
    if (value === 'bad') throw new RecordError(`value: "bad" is not a number`);
    return [{ table: 'readings', values: { id, day, at: new Date(record.position * 1000), value: Number(value) } }];
  },
};

/**
 * A row of 4,125 bytes kept (a table byte; a tag byte a value; the id's length and its 4,096 bytes; a day's 4; 8 for
 * each number), so that a few thousand rows make a part.
 */
const LONG_ROW_BYTES = 4125;
function longRow(index: number): TableRow {
  return {
    table: 'readings',
    values: { id: `turtle-${String(index).padStart(8, '0')}`.padEnd(4096, '.'), day: '2024-01-01', at: new Date(index), value: index / 2 },
  };
}

function csv(lines: readonly string[]): Readable {
  return Readable.from([`id,day,value\n${lines.join('\n')}\n`]);
}

describe('ValidatedRows', () => {
  it('keeps the rows of the good records as the scan makes them, and reads them back in order; a value the driver refuses is a bad row', async () => {
    const bucket = new FakeIngestBucket();
    const kept = new ValidatedRows(asReal(bucket));
    const values = new RowValues(plan.tables, 'tenant_zoo');
    const keeper = kept.keeper(upload, 3, values);
    const stats = await scanSourceRecords(readRecords(csv(['t1,2024-01-01,1.5', 't1,2024-01-01,bad', 't2,someday,2', 't2,2024-01-02,2.5']), 'csv'), {
      format: 'csv',
      plan,
      maxBadRows: 10,
      rowKeeper: keeper,
    });
    expect(stats).toMatchObject({ rows: 2, badRows: 2 });
    expect(stats.badRowSamples).toEqual(['line 3: value: "bad" is not a number', expect.stringMatching(/^line 4: day: LocalDate could not be parsed/)]);
    expect(await keeper.finish()).toBe(1);
    expect(bucket.keys()).toEqual(['staging/zoo/i1/v1/rows/3-0']);

    const rows = [];
    for await (const batch of (await kept.open(upload, 3, 1, values)) ?? []) rows.push(...batch);
    expect(rows.map((row) => [row.values[0], String(row.values[1]), row.values[2], row.values[3]])).toEqual([
      ['t1', '2024-01-01', 2000, 1.5],
      ['t2', '2024-01-02', 5000, 2.5],
    ]);
  });

  it('puts a part whenever the rows held reach the part size, and reads every part back in order', async () => {
    const bucket = new FakeIngestBucket();
    const kept = new ValidatedRows(asReal(bucket));
    const values = new RowValues(plan.tables, 'tenant_zoo');
    const keeper = kept.keeper(upload, 0, values);
    const count = Math.ceil((VALIDATED_ROWS_PART_BYTES * 2.5) / LONG_ROW_BYTES);
    for (let start = 0; start < count; start += 100) {
      for (let index = start; index < Math.min(count, start + 100); index += 1) keeper.add([longRow(index)]);
      await keeper.flush();
    }
    const parts = await keeper.finish();
    expect(parts).toBe(3);
    expect(bucket.keys()).toEqual(['staging/zoo/i1/v1/rows/0-0', 'staging/zoo/i1/v1/rows/0-1', 'staging/zoo/i1/v1/rows/0-2']);
    let next = 0;
    for await (const batch of (await kept.open(upload, 0, parts, values)) ?? []) {
      for (const row of batch) {
        expect(row.values[2]).toBe(next);
        next += 1;
      }
    }
    expect(next).toBe(count);
  });

  it('keeps the rows of a file taken whole in memory, in parts, and hands every row back once, in order', async () => {
    const kept = new RowsInMemory(new RowValues(plan.tables, 'tenant_zoo'));
    const count = Math.ceil((VALIDATED_ROWS_PART_BYTES * 2.5) / LONG_ROW_BYTES);
    for (let start = 0; start < count; start += 100) {
      for (let index = start; index < Math.min(count, start + 100); index += 1) kept.keeper.add([longRow(index)]);
      await kept.keeper.flush();
    }
    expect(await kept.keeper.finish()).toBe(3);
    const read = (): number[] => [...kept.rows()].flatMap((batch) => batch.map((row) => row.values[2] as number));
    expect(read()).toEqual(Array.from({ length: count }, (_, index) => index));
    // Each part is let go of as it is read.
    expect(read()).toEqual([]);
  });

  it('reads rows kept for other tables, or of which a part is gone, as none (the chunk is read again); a part gone after that is an error naming it', async () => {
    const bucket = new FakeIngestBucket();
    const kept = new ValidatedRows(asReal(bucket));
    const values = new RowValues(plan.tables, 'tenant_zoo');
    const keeper = kept.keeper(upload, 0, values);
    // Two parts' worth of rows, flushed every 100: a part put once a flush finds more than a part's worth, the rest at the end.
    for (let index = 0; index < 2 * Math.ceil(VALIDATED_ROWS_PART_BYTES / LONG_ROW_BYTES); index += 1) {
      keeper.add([longRow(index)]);
      if (index % 100 === 99) await keeper.flush();
    }
    expect(await keeper.finish()).toBe(2);
    // The app's table gained a column since: the rows kept do not fit it.
    const wider: TableSpec = { ...readings, columns: { ...readings.columns, note: 'text' } };
    expect(await kept.open(upload, 0, 2, new RowValues([wider], 'tenant_zoo'))).toBeUndefined();
    expect(await kept.open(upload, 0, 2, new RowValues([{ ...readings, name: 'readings_v2' }], 'tenant_zoo'))).toBeUndefined();
    // Every part there: read; the second part gone before the read begins: none; gone after it began: named.
    const reading = await kept.open(upload, 0, 2, values);
    expect(reading).toBeDefined();
    await bucket.deleteAllVersions('staging/zoo/i1/v1/rows/0-1');
    expect(await kept.open(upload, 0, 2, values)).toBeUndefined();
    await expect(
      (async () => {
        for await (const batch of reading ?? []) expect(batch.length).toBeGreaterThan(0);
      })(),
    ).rejects.toThrow("part 2 of 2 of chunk 1's validated rows is gone (staging/zoo/i1/v1/rows/0-1)");
    expect(await kept.open(upload, 1, 1, values)).toBeUndefined();
  });

  it('puts parts while the scan makes the next, waits for the oldest when three are on their way, and fails at the end when a put failed', async () => {
    const values = new RowValues(plan.tables, 'tenant_zoo');
    const puts: { part: number; bytes: Buffer; asPut: Buffer; settle: (error?: Error) => void }[] = [];
    const keeper = new RowKeeper(
      values,
      (part, bytes) =>
        new Promise<void>((resolve, reject) => {
          puts.push({ part, bytes, asPut: Buffer.from(bytes), settle: (error) => (error ? reject(error) : resolve()) });
        }),
    );
    let made = 0;
    const addPart = (): void => {
      for (const end = made + Math.ceil(VALIDATED_ROWS_PART_BYTES / LONG_ROW_BYTES); made < end; made += 1) keeper.add([longRow(made)]);
    };
    const settled = (promise: Promise<unknown>): Promise<boolean> => {
      let done = false;
      void promise.then(
        () => (done = true),
        () => (done = true),
      );
      // Every callback queued so far runs before this one: a promise the keeper did not keep waiting is settled by then.
      return new Promise((resolve) => setImmediate(() => resolve(done)));
    };

    expect(PARTS_ON_THEIR_WAY).toBe(3);
    for (let part = 0; part < PARTS_ON_THEIR_WAY; part += 1) {
      addPart();
      expect(await settled(keeper.flush())).toBe(true);
    }
    expect(puts.map((put) => put.part)).toEqual([0, 1, 2]);

    addPart();
    const fourth = keeper.flush();
    expect(await settled(fourth)).toBe(false);
    expect(puts).toHaveLength(3);
    // Not the newest: the oldest part lets the next one go.
    puts[2]?.settle();
    expect(await settled(fourth)).toBe(false);
    puts[0]?.settle();
    await fourth;
    expect(puts.map((put) => put.part)).toEqual([0, 1, 2, 3]);

    addPart();
    const finished = keeper.finish();
    puts[1]?.settle();
    await settled(finished);
    expect(puts.map((put) => put.part)).toEqual([0, 1, 2, 3, 4]);
    puts[3]?.settle();
    expect(await settled(finished)).toBe(false);
    puts[4]?.settle(new Error('the bucket is down'));
    await expect(finished).rejects.toThrow('the bucket is down');
    // Each part is its own copy: the rows made after it was handed over did not change it.
    for (const put of puts) expect(put.bytes.equals(put.asPut)).toBe(true);
  });
});
