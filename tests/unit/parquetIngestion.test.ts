import cassandra from 'cassandra-driver';
import { parquetMetadata } from 'hyparquet';
import { genericBatchIngestApp } from '../../layers/platform/src/ingest/apps/genericBatchIngestApp';
import type { BatchIngestApp } from '../../layers/platform/src/ingest/apps/BatchIngestApp';
import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import { decodedBytesOf, rowGroupsOf } from '../../layers/platform/src/ingest/parquet/parquetChunks';
import { objectKey } from '../../layers/platform/src/storage/objectKeys';
import zooBatchIngestApp from '../../tenants/zoo/batchIngestApp';
import { EVERY_TYPE_COLUMNS, everyTypeWithHyparquet } from '../helpers/parquet/everyTypeTable';
import { readingTime, writeWithHyparquet, zooReadingsTable } from '../helpers/parquet/zooReadingsTable';
import { drainChunkTasks, fakeBatchIngestDependencies, ingestNow } from './fakes/fakeBatchIngestDependencies';
import { tenant } from './fakes/FakeTenantRegistry';
import { storedValue } from './fakes/storedValue';

/** The largest row group of a file, in bytes: a chunk of this size holds one row group. */
function largestRowGroup(body: Buffer): number {
  return Math.max(...rowGroupsOf(parquetMetadata(new Uint8Array(body)), body.length).map((group) => group.end - group.start));
}

async function setUp(body: Buffer, options: { app?: BatchIngestApp; chunkSize?: number; fileName?: string; dryRun?: boolean; maxBadRows?: number } = {}) {
  const zoo = tenant('zoo', { batch: { allowedFormats: ['parquet'], maxBadRows: options.maxBadRows ?? 2 } });
  const fakes = fakeBatchIngestDependencies([zoo], { chunkSize: options.chunkSize ?? 1024 * 1024, app: options.app ?? genericBatchIngestApp });
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks(fakes.deps);
  const fileName = options.fileName ?? 'every.parquet';
  const grant = await fakes.uploads.grant(zoo, { fileName, size: body.length, dryRun: options.dryRun });
  const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
  const object = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
  const ingest = async () => {
    await ingestNow(pipeline, fileTasks, fakes, object);
    await drainChunkTasks(fileTasks, fakes.tasks);
    return fakes.ingestions.stored(grant.ingestionId);
  };
  const inserts = () => fakes.cassandra.matching(/^INSERT/).map((statement) => statement.params);
  return {
    ...fakes,
    grant,
    ingest,
    inserts,
    finalKey: (stage: 'ingested' | 'rejected') => objectKey({ tenant: 'zoo', stage, batchId: grant.batchId, fileName }),
  };
}

describe('a Parquet upload with the generic app', () => {
  const rows = 600;
  const body = everyTypeWithHyparquet(rows, 200);

  it('makes its table from the file schema, every column typed as the file types it, and writes every row', async () => {
    const { ingest, cassandra: client, inserts, bucket, finalKey } = await setUp(body);
    expect(await ingest()).toMatchObject({ status: 'ingested', rows, badRows: 0, tables: ['unit_tenant_zoo.every'] });
    const create = client.matching(/^CREATE TABLE/)[0]?.query ?? '';
    for (const column of EVERY_TYPE_COLUMNS) expect(create).toContain(`${column.name} ${column.cqlType}`);
    expect(create).not.toContain('extra_fields');
    expect(inserts()).toHaveLength(rows);
    expect(bucket.keys()).toEqual([finalKey('ingested')]);
  });

  it('hands the driver the values of every type as their CQL columns take them, nulls as null', async () => {
    const { ingest, cassandra: client } = await setUp(body);
    await ingest();
    const insert = client.matching(/^INSERT/)[0];
    const names = /\(([^)]*)\) VALUES/.exec(insert?.query ?? '')?.[1]?.split(', ') ?? [];
    // Each column's type, as the table was made.
    const create = client.matching(/^CREATE TABLE/)[0]?.query ?? '';
    const typeOf = (name: string): string => new RegExp(`[(,\\s]"?${name}"? (\\w+)`).exec(create)?.[1] ?? `no column ${name}`;
    const valuesOf = (n: number) => {
      const params = client.matching(/^INSERT/)[n]?.params ?? [];
      return Object.fromEntries(
        names.map((quoted, index) => {
          const name = quoted.replace(/"/g, '');
          return [name, storedValue(params[index], typeOf(name))];
        }),
      );
    };
    const first = valuesOf(1);
    expect(first).toMatchObject({ ingest_file: 'every.parquet', ingest_line: 2n, id: 1, i32: -993, i64: 2n ** 60n + 1n, f32: 1.5, flag: false });
    expect(first.price).toBeInstanceOf(cassandra.types.BigDecimal);
    expect(String(first.price)).toBe('-48.99');
    expect(first.raw).toEqual(Buffer.from([1, 0, 255, 0]));
    expect(String(first.day)).toBe('2024-03-01');
    expect(first.ts_us).toEqual(new Date(-1));
    expect(first.tags).toBe('["t1","u1"]');
    expect(first.point).toBe('{"x":0.25,"label":"p1"}');
    expect(String(first.uid)).toBe('123e4567-e89b-42d3-a456-000000000001');
    const nulls = valuesOf(2);
    expect(EVERY_TYPE_COLUMNS.filter((column) => column.name !== 'id').map((column) => nulls[column.name])).toEqual(
      EVERY_TYPE_COLUMNS.slice(1).map(() => null),
    );
  });

  it('ingests a file above the chunk size in chunks of whole row groups, its rows numbered in the whole file, with ranged reads only', async () => {
    const { ingest, inserts, bucket, tasks, grant } = await setUp(body, { chunkSize: largestRowGroup(body) });
    expect(body.length).toBeGreaterThan(largestRowGroup(body));
    expect(await ingest()).toMatchObject({ status: 'ingested', rows, chunksTotal: 3 });
    expect(tasks.sent.filter((task) => task.kind === 'validate').map((task) => task.kind === 'validate' && task.chunk.positionOffset)).toEqual([0, 200, 400]);
    // No cut is handed on: the footer is the plan.
    expect(tasks.sent.filter((task) => task.kind === 'plan')).toEqual([]);
    const lines = inserts().map((params) => params[2]);
    expect([...lines].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: rows }, (_, n) => BigInt(n + 1)));
    // Every read is a range of the object version, none of them the whole object.
    const reads = bucket.ranges.filter((range) => range.key === grant.key);
    expect(reads.length).toBeGreaterThan(3);
    expect(reads.filter((range) => range.start === 0 && range.end === body.length)).toEqual([]);
    // The footer is read once in this process, however many tasks need it; each row group once by each task that reads it.
    expect(reads.filter((range) => range.end === body.length)).toHaveLength(1);
  });

  it('ingests a file stored in less than the chunk size, but decoding to more, in chunks', async () => {
    const decoded = decodedBytesOf(parquetMetadata(new Uint8Array(body)));
    expect(decoded).toBeGreaterThan(body.length + 1);
    const { ingest, inserts, tasks } = await setUp(body, { chunkSize: body.length + 1 });
    expect(await ingest()).toMatchObject({ status: 'ingested', rows });
    expect(tasks.sent.filter((task) => task.kind === 'validate').length).toBeGreaterThan(1);
    expect(new Set(inserts().map((params) => params[2])).size).toBe(rows);
  });

  it('refuses at once, before anything is written, a row group larger than the chunk size, naming it', async () => {
    const { ingest, inserts, bucket, finalKey } = await setUp(body, { chunkSize: 4096 });
    const record = await ingest();
    expect(record?.status).toBe('rejected');
    expect(record?.reason).toMatch(/^row group 1 of 3 holds [\d.]+ KiB \(200 rows\), more than the chunk size of 4 KiB: a row group is read whole/);
    expect(inserts()).toEqual([]);
    expect(bucket.keys()).toEqual([finalKey('rejected')]);
  });

  it.each([
    ['in this invocation', 1024 * 1024],
    ['in chunks', 64],
  ])('rejects at once, %s, a file that is not Parquet, saying so', async (_how, chunkSize) => {
    const text = Buffer.from(`id,value\n${Array.from({ length: 50 }, (_, n) => `r${n},${n}`).join('\n')}\n`);
    const { ingest, inserts, tasks } = await setUp(text, { chunkSize });
    const record = await ingest();
    expect(record).toMatchObject({ status: 'rejected', rows: 0 });
    expect(record?.reason).toMatch(/^the file is not Parquet: it does not end with "PAR1"/);
    expect(inserts()).toEqual([]);
    expect(tasks.chunkTasksSent()).toEqual([]);
  });

  it('validates a dry run and writes nothing', async () => {
    const { ingest, inserts } = await setUp(body, { dryRun: true, chunkSize: largestRowGroup(body) });
    expect(await ingest()).toMatchObject({ status: 'validated', rows, reason: `dry run: ${rows} rows would be written; nothing was written` });
    expect(inserts()).toEqual([]);
  });
});

describe("a Parquet upload of the zoo's readings", () => {
  const zoo = { app: zooBatchIngestApp, fileName: 'readings.parquet' };

  it('passes the zoo app with its typed columns (a timestamp, a date, numbers, nulls)', async () => {
    const { ingest, inserts } = await setUp(writeWithHyparquet(zooReadingsTable(300), 100), zoo);
    expect(await ingest()).toMatchObject({ status: 'ingested', rows: 300, badRows: 0, tables: ['unit_tenant_zoo.sensor_readings'] });
    // Rows go out grouped by partition: row 4 (reading 3) is the one of tracker turtle-003 at its first instant.
    const [devId, day, ts, temperature, humidity] = inserts().find(([id, , at]) => id === 'turtle-003' && at === readingTime(3)) ?? [];
    expect({ devId, day: String(day), ts, temperature, humidity }).toEqual({
      devId: 'turtle-003',
      day: '2018-10-01',
      ts: readingTime(3),
      temperature: 21.25,
      humidity: null,
    });
  });

  it('counts the rows the app refuses as bad rows with their row numbers, and keeps them as NDJSON', async () => {
    const body = writeWithHyparquet(zooReadingsTable(300, new Set([150])), 100);
    const { ingest, inserts, bucket } = await setUp(body, { ...zoo, chunkSize: largestRowGroup(body) });
    const record = await ingest();
    expect(record).toMatchObject({ status: 'ingested', rows: 299, badRows: 1, reason: '1 bad row skipped (within the tolerance)' });
    expect(record?.badRowSamples).toEqual(['row 151: temperature: must be at most 100']);
    expect(inserts()).toHaveLength(299);
    const prefix = record?.badRowsKey ?? '-';
    const data = bucket.texts.get(`${prefix}readings.bad.ndjson`);
    expect(data).toBeDefined();
    const [line] = (data ?? '').trim().split('\n');
    expect(JSON.parse(line ?? '{}')).toEqual({
      dev_id: 'turtle-050',
      day: '2018-10-01',
      ts: new Date(readingTime(150)).toISOString(),
      temperature: 500,
      // Every seventh row from the fourth has no humidity.
      humidity: null,
      pressure: 1005,
      battery: 2950,
      acceleration: 1,
      acceleration_x: 0,
      acceleration_y: 0,
      acceleration_z: 0.9,
    });
    expect(bucket.texts.get(`${prefix}readings.errors.txt`)).toMatch(/^row 151: temperature: must be at most 100\n/);
  });

  it('rejects the file, writing nothing, when its bad rows are over the tolerance, naming their rows', async () => {
    const body = writeWithHyparquet(zooReadingsTable(300, new Set([2, 120, 250])), 100);
    const { ingest, inserts, bucket, finalKey } = await setUp(body, { ...zoo, chunkSize: largestRowGroup(body) });
    const record = await ingest();
    expect(record).toMatchObject({ status: 'rejected', rows: 0, badRows: 3 });
    expect(record?.reason).toBe(
      "more than 2 bad rows (the tenant's maxBadRows); nothing was written. First: row 3: temperature: must be at most 100; row 121: temperature: must be at most 100; row 251: temperature: must be at most 100",
    );
    expect(inserts()).toEqual([]);
    expect(bucket.keys()).toEqual([finalKey('rejected')]);
  });
});
