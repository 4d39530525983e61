import type cassandra from 'cassandra-driver';
import { jsonText } from '../../layers/platform/src/ingest/records/jsonText';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { EVERY_TYPE_COLUMNS, everyTypeForPyarrow, everyTypeWithHyparquet, type EveryTypeColumn } from '../helpers/parquet/everyTypeTable';
import { writeWithPyarrow } from '../helpers/parquet/writeWithPyarrow';
import { deviceOf, readingTime, writeWithHyparquet, zooReadingsTable, type TableColumn } from '../helpers/parquet/zooReadingsTable';
import { api, connectCassandra, login } from '../helpers/testPlatform';
import { uploadFile, waitForIngestion, type IngestionJson } from '../helpers/uploads';

const TENANT = 'parq';
const PASSWORD = 'parq-password-123';
const KEYSPACE = `test_tenant_${TENANT}`;
/** Rows of the every-type files: 8 row groups of about 30 KiB, so 64 KiB chunks of two row groups each on the test stage. */
const ROWS = 3000;
const ROW_GROUP = 400;

/** A value as text, the same for what a writer wrote and what Cassandra gives back (a Long, a BigDecimal, a LocalDate, a Uuid...). */
function canonical(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return `bytes ${value.toString('hex')}`;
  if (value instanceof Date) return `instant ${value.getTime()}`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  // The driver's own types say themselves with toString; plain objects and arrays are JSON.
  if (value.constructor === Object || Array.isArray(value)) return jsonText(value);
  return (value as { toString(): string }).toString();
}

/** What the generic app writes into the column for row n: the value a tenant app sees, as its CQL type holds it. */
function expected(column: EveryTypeColumn, n: number): string | null {
  const seen = column.seen(n);
  if (seen === null) return null;
  // A CQL float is 32 bits; lists and structs are JSON text.
  if (column.cqlType === 'float') return String(Math.fround(seen as number));
  if (column.cqlType === 'text' && typeof seen === 'object') return jsonText(seen);
  return canonical(seen);
}

async function finished(tenant: string, token: string, ingestionId: string): Promise<IngestionJson> {
  return waitForIngestion(tenant, token, ingestionId, ['ingested', 'rejected', 'failed', 'validated'], 240_000);
}

describe('Parquet uploads: planned from the footer into chunks of whole row groups, every type loaded as the file types it', () => {
  let client: cassandra.Client;
  let token: string;

  beforeAll(async () => {
    client = await connectCassandra();
    const folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, ['--formats', 'parquet,csv', '--max-bad-rows', '3', '--max-file-size', '8 MiB']);
    token = await tokenOnceServed(TENANT, PASSWORD);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  const writers: Array<[string, () => Promise<Buffer>]> = [
    ['hyparquet-writer (snappy)', () => Promise.resolve(everyTypeWithHyparquet(ROWS, ROW_GROUP))],
    ['pyarrow (snappy)', async () => (await writeWithPyarrow({ columns: everyTypeForPyarrow(ROWS), rowGroupSize: ROW_GROUP, compression: 'snappy' })).bytes],
    ['pyarrow (zstd)', async () => (await writeWithPyarrow({ columns: everyTypeForPyarrow(ROWS), rowGroupSize: ROW_GROUP, compression: 'zstd' })).bytes],
  ];

  it.each(writers)('loads a file written by %s with the generic app, value for value in every column', async (writer, write) => {
    const bytes = await write();
    const table = `every_${writer.replace(/[^a-z]+/g, '_').replace(/_+$/, '')}`;
    const grant = await uploadFile(TENANT, token, `${table}.parquet`, bytes);
    const done = await finished(TENANT, token, grant.ingestionId);
    expect(done).toMatchObject({ status: 'ingested', rows: ROWS, badRows: 0, reason: null, tables: [`${KEYSPACE}.${table}`] });
    expect(done.chunks?.total).toBeGreaterThanOrEqual(3);
    expect(done.chunks).toMatchObject({ validated: done.chunks?.total, written: done.chunks?.total, failed: 0 });

    // The table the generic app made: the file's columns, typed from its schema.
    const columns = await client.execute('SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [KEYSPACE, table]);
    const types = Object.fromEntries(columns.rows.map((row) => [row.get('column_name') as string, row.get('type') as string]));
    for (const column of EVERY_TYPE_COLUMNS) expect(`${column.name} ${types[column.name]}`).toBe(`${column.name} ${column.cqlType}`);

    const seen = new Set<number>();
    const result = await client.execute(`SELECT * FROM ${KEYSPACE}.${table}`, [], { fetchSize: 1000, autoPage: true });
    for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) {
      const n = Number(row.get('ingest_line')) - 1;
      expect(seen.has(n)).toBe(false);
      seen.add(n);
      for (const column of EVERY_TYPE_COLUMNS) {
        const got = canonical(row.get(column.name));
        if (got !== expected(column, n))
          throw new Error(`${writer}, row ${n + 1}, ${column.name}: Cassandra holds ${got}, the writer wrote ${expected(column, n)}`);
      }
    }
    expect(seen.size).toBe(ROWS);
  });

  it('rejects at once a file named .parquet that is not Parquet, saying so', async () => {
    const text = `id,value\n${Array.from({ length: 100 }, (_, n) => `r${n},${n}`).join('\n')}\n`;
    const grant = await uploadFile(TENANT, token, 'not-parquet.parquet', text);
    const done = await finished(TENANT, token, grant.ingestionId);
    expect(done).toMatchObject({ status: 'rejected', rows: 0 });
    expect(done.reason).toMatch(/^the file is not Parquet: it does not end with "PAR1"/);
  });

  it('validates a dry run of a Parquet file in chunks and writes nothing', async () => {
    const grant = await uploadFile(TENANT, token, 'dry_every.parquet', everyTypeWithHyparquet(ROWS, ROW_GROUP), { dryRun: true });
    const done = await finished(TENANT, token, grant.ingestionId);
    expect(done).toMatchObject({ status: 'validated', rows: ROWS, badRows: 0 });
    const table = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [KEYSPACE, 'dry_every']);
    expect(table.rows).toHaveLength(0);
  });
});

describe("Parquet uploads to the zoo's own app: typed readings, bad rows by row number", () => {
  let client: cassandra.Client;
  let token: string;
  /** Readings: 20,000 rows in row groups of 2,000, a file of several 64 KiB chunks. */
  const ROWS_ZOO = 20_000;

  beforeAll(async () => {
    client = await connectCassandra();
    token = await login('zoo');
  });

  afterAll(async () => {
    await client.shutdown();
  });

  const forPyarrow = (columns: readonly TableColumn[]) => columns.map((column) => ({ name: column.name, type: column.arrow, values: [...column.json] }));

  /** The readings of the file's trackers in the zoo's table, by row number (from 0). */
  async function readingsOf(devices: string): Promise<Map<number, cassandra.types.Row>> {
    const rows = new Map<number, cassandra.types.Row>();
    const table = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [
      'test_tenant_zoo',
      'sensor_readings',
    ]);
    if (table.rows.length === 0) return rows;
    for (let tracker = 0; tracker < 100; tracker += 1) {
      const result = await client.execute(
        'SELECT * FROM test_tenant_zoo.sensor_readings WHERE dev_id = ? AND day = ?',
        [deviceOf(tracker, devices), '2018-10-01'],
        {
          prepare: true,
          fetchSize: 1000,
          autoPage: true,
        },
      );
      for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) {
        const n = ((row.get('ts') as Date).getTime() - readingTime(0)) / 100 + tracker;
        rows.set(n, row);
      }
    }
    return rows;
  }

  it.each([
    ['hyparquet-writer', 'pqh', (columns: TableColumn[]) => Promise.resolve(writeWithHyparquet(columns, 2000))],
    [
      'pyarrow',
      'pqa',
      async (columns: TableColumn[]) => (await writeWithPyarrow({ columns: forPyarrow(columns), rowGroupSize: 2000, compression: 'snappy' })).bytes,
    ],
  ])('loads readings written by %s, skipping the rows the app refuses within the tolerance, by their row numbers', async (_writer, devices, write) => {
    const bad = [10, 12_345, 19_999];
    const columns = zooReadingsTable(ROWS_ZOO, new Set(bad), devices);
    const grant = await uploadFile('zoo', token, `readings-${devices}.parquet`, await write(columns));
    const done = await finished('zoo', token, grant.ingestionId);
    expect(done).toMatchObject({ status: 'ingested', rows: ROWS_ZOO - bad.length, badRows: bad.length, tables: ['test_tenant_zoo.sensor_readings'] });
    expect(done.chunks?.total).toBeGreaterThanOrEqual(2);
    expect(done.badRowSamples).toEqual(bad.map((n) => `row ${n + 1}: temperature: must be at most 100`));

    const rows = await readingsOf(devices);
    expect(rows.size).toBe(ROWS_ZOO - bad.length);
    const byName = Object.fromEntries(columns.map((column) => [column.name, column.values]));
    for (const [n, row] of rows) {
      expect(bad).not.toContain(n);
      const want = {
        temperature: byName.temperature?.[n],
        humidity: byName.humidity?.[n],
        pressure: byName.pressure?.[n],
        battery: byName.battery?.[n],
        acceleration_x: byName.acceleration_x?.[n],
      };
      const got = Object.fromEntries(Object.keys(want).map((name) => [name, row.get(name) as unknown]));
      if (JSON.stringify(got) !== JSON.stringify(want))
        throw new Error(`row ${n + 1}: Cassandra holds ${JSON.stringify(got)}, the writer wrote ${JSON.stringify(want)}`);
    }

    // The bad rows, as NDJSON to fix and upload again, and why each was refused.
    const links = await api('GET', `/tenants/zoo/ingestions/${grant.ingestionId}/bad-rows`, undefined, token);
    expect(links.status).toBe(200);
    const files = links.body.files as Array<{ name: string; url: string }>;
    expect(files.map((file) => file.name).sort()).toEqual([`readings-${devices}.bad.ndjson`, `readings-${devices}.errors.txt`]);
    const data = await (await fetch(files.find((file) => file.name.endsWith('.ndjson'))?.url ?? '')).text();
    const records = data
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((record) => [record.dev_id, record.ts, record.temperature])).toEqual(
      bad.map((n) => [deviceOf(n, devices), new Date(readingTime(n)).toISOString(), 500]),
    );
  });

  it('rejects readings with more bad rows than the tolerance, writing none, naming their rows', async () => {
    const bad = [3, 4_000, 8_000, 12_000, 16_000, 19_000];
    const columns = zooReadingsTable(ROWS_ZOO, new Set(bad), 'pqr');
    const bytes = (await writeWithPyarrow({ columns: forPyarrow(columns), rowGroupSize: 2000, compression: 'zstd' })).bytes;
    const grant = await uploadFile('zoo', token, 'readings-pqr.parquet', bytes);
    const done = await finished('zoo', token, grant.ingestionId);
    expect(done).toMatchObject({ status: 'rejected', rows: 0 });
    expect(done.reason).toMatch(
      /^more than 5 bad rows \(the tenant's maxBadRows\); nothing was written\. First: row 4: temperature: must be at most 100; row 4001: temperature: must be at most 100; row 8001: temperature: must be at most 100/,
    );
    expect((await readingsOf('pqr')).size).toBe(0);
  });
});
