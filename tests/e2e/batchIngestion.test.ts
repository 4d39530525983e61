import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { expect } from '@jest/globals';
import type cassandra from 'cassandra-driver';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { DEMO } from '../helpers/demoTenants';
import { api, config, connectCassandra, login, runCli } from '../helpers/testPlatform';

const HEADER = 'time,readable_time,acceleration,acceleration_x,acceleration_y,acceleration_z,battery,humidity,pressure,temperature,dev-id';
const BASE = Date.UTC(2018, 9, 2, 20, 0, 0);

interface Reading {
  dev: string;
  time: number;
  temperature: number;
  humidity: number | null;
  battery: number;
}

function reading(series: number, n: number): Reading {
  return {
    dev: `turtle-${series}`,
    time: BASE + series * 86_400_000 + n * 1000,
    temperature: Number((15 + (n % 100) * 0.1).toFixed(1)),
    humidity: n % 7 === 0 ? null : 60 + (n % 30),
    battery: 3000 - n,
  };
}

function csvLine(r: Reading): string {
  return [r.time, new Date(r.time).toISOString(), '1.0', '0.1', '0.2', '0.9', r.battery, r.humidity ?? '', '1010.5', r.temperature, r.dev].join(',');
}

interface FileSummary {
  file: string;
  status: string;
  rows?: number;
  badRows?: number;
  reason: string;
  tables?: string[];
}

interface Summary {
  batchId: string;
  ok: boolean;
  files: FileSummary[];
}

describe('batch ingestion end to end: fetchdata -> presigned POST -> S3 event -> batch-ingest function -> Cassandra', () => {
  let dir: string;
  let client: cassandra.Client;
  const expected = new Map<string, Reading>();
  const runFetchdata = () =>
    runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', 'zoo', '--dir', dir, '--json', '--timeout', '180'], {
      MYSIMBDP_PASSWORD: DEMO.zoo.password,
    });

  beforeAll(async () => {
    client = await connectCassandra();
    await client.execute('DROP TABLE IF EXISTS test_tenant_zoo.sensor_readings');
    dir = await mkdtemp(join(tmpdir(), 'zoo-input-'));
    const keep = (r: Reading): Reading => {
      expected.set(`${r.dev}|${r.time}`, r);
      return r;
    };
    // a: 50 good rows.
    await writeFile(join(dir, 'a-readings.csv'), [HEADER, ...Array.from({ length: 50 }, (_, n) => csvLine(keep(reading(1, n))))].join('\n'));
    // b: 30 good records as NDJSON.
    const ndjson = Array.from({ length: 30 }, (_, n) => keep(reading(2, n))).map((r) =>
      JSON.stringify({ 'dev-id': r.dev, time: r.time, temperature: r.temperature, humidity: r.humidity, battery: r.battery, pressure: 1010.5 }),
    );
    await writeFile(join(dir, 'b-readings.ndjson'), `${ndjson.join('\n')}\n`);
    // c: 20 rows, 3 of them bad (within the 5 the profile tolerates).
    const c = Array.from({ length: 20 }, (_, n) => reading(3, n));
    const cLines = c.map((r, n) =>
      n === 4 ? csvLine({ ...r, temperature: 'hot' as never }) : n === 9 ? csvLine(r).replace(/^\d+/, '') : n === 14 ? '1,2,3' : csvLine(keep(r)),
    );
    await writeFile(join(dir, 'c-some-bad.csv'), [HEADER, ...cLines].join('\n'));
    // d: 10 rows, 8 bad: rejected as a whole.
    const d = Array.from({ length: 10 }, (_, n) => reading(4, n)).map((r, n) => (n < 8 ? csvLine({ ...r, temperature: 500 }) : csvLine(r)));
    await writeFile(join(dir, 'd-too-bad.csv'), [HEADER, ...d].join('\n'));
    // e: over the 2 MiB limit; f: a format the zoo may not send; g: one file more than a batch holds.
    await writeFile(join(dir, 'e-oversized.csv'), [HEADER, ...Array.from({ length: 25_000 }, (_, n) => csvLine(reading(5, n)))].join('\n'));
    await writeFile(join(dir, 'f-sheet.xlsx'), 'PK\u0003\u0004 not really a spreadsheet');
    await writeFile(join(dir, 'g-extra.csv'), [HEADER, csvLine(reading(6, 0))].join('\n'));
  });

  afterAll(async () => {
    await client.shutdown();
  });

  async function rowsInCassandra(): Promise<Map<string, Record<string, unknown>>> {
    const rows = new Map<string, Record<string, unknown>>();
    for (const row of (
      await client.execute('SELECT dev_id, ts, day, temperature, humidity, battery, pressure FROM test_tenant_zoo.sensor_readings', [], { fetchSize: 10_000 })
    ).rows) {
      const key = `${row.get('dev_id')}|${(row.get('ts') as Date).getTime()}`;
      expect(rows.has(key)).toBe(false);
      rows.set(key, {
        dev: row.get('dev_id'),
        time: (row.get('ts') as Date).getTime(),
        day: String(row.get('day')),
        temperature: row.get('temperature'),
        humidity: row.get('humidity'),
        battery: row.get('battery'),
        pressure: row.get('pressure'),
      });
    }
    return rows;
  }

  function expectExactRows(rows: Map<string, Record<string, unknown>>): void {
    expect([...rows.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, want] of expected) {
      expect(rows.get(key)).toEqual({ ...want, day: new Date(want.time).toISOString().slice(0, 10), pressure: 1010.5 });
    }
  }

  let first: Summary;

  it('ingests the valid files, refuses the others with their reasons, and exits non-zero', async () => {
    const run = await runFetchdata();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    first = JSON.parse(run.stdout) as Summary;
    const byFile = Object.fromEntries(first.files.map((file) => [file.file, file]));
    expect(byFile['a-readings.csv']).toMatchObject({ status: 'ingested', rows: 50, badRows: 0, reason: '', tables: ['test_tenant_zoo.sensor_readings'] });
    expect(byFile['b-readings.ndjson']).toMatchObject({ status: 'ingested', rows: 30, badRows: 0 });
    expect(byFile['c-some-bad.csv']).toMatchObject({ status: 'ingested', rows: 17, badRows: 3 });
    expect(byFile['c-some-bad.csv']?.reason).toMatch(
      /^3 bad rows skipped \(within the tolerance\) \[line 6: temperature: "hot" is not a number; line 11: time: .*; line 16: expected 11 fields, found 3\]$/,
    );
    expect(byFile['d-too-bad.csv']).toMatchObject({ status: 'rejected', rows: 0, badRows: 6 });
    expect(byFile['d-too-bad.csv']?.reason).toMatch(
      /^more than 5 bad rows \(the tenant's maxBadRows\); nothing was written\. First: line 2: temperature: must be at most 100/,
    );
    expect(byFile['e-oversized.csv']).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/ MiB is over the 2 MiB limit$/) });
    expect(byFile['f-sheet.xlsx']).toMatchObject({ status: 'skipped', reason: 'format not allowed (allowed: csv, ndjson, parquet)' });
    expect(byFile['g-extra.csv']).toMatchObject({ status: 'skipped', reason: 'the batch is full (at most 4 files); send it in a later batch' });
  });

  it('wrote exactly the valid rows, value by value', async () => {
    expectExactRows(await rowsInCassandra());
  });

  it('reports each file in the ingestion report, with totals', async () => {
    const token = await login('zoo');
    const report = await api('GET', `/tenants/zoo/ingestions?batch=${first.batchId}`, undefined, token);
    expect(report.status).toBe(200);
    const ingestions = report.body.ingestions as Array<Record<string, unknown>>;
    expect(ingestions.map((i) => [i.fileName, i.status, i.rows, i.badRows]).sort()).toEqual([
      ['a-readings.csv', 'ingested', 50, 0],
      ['b-readings.ndjson', 'ingested', 30, 0],
      ['c-some-bad.csv', 'ingested', 17, 3],
      ['d-too-bad.csv', 'rejected', 0, 6],
    ]);
    expect(report.body.totals).toMatchObject({ files: 4, rows: 97, badRows: 9, byStatus: { ingested: 3, rejected: 1 } });
    const totals = report.body.totals as { meanDurationMs: number; maxDurationMs: number; bytes: number };
    expect(totals.maxDurationMs).toBeGreaterThanOrEqual(totals.meanDurationMs);
    expect(totals.bytes).toBeGreaterThan(0);

    const rejected = ingestions.find((i) => i.fileName === 'd-too-bad.csv') as Record<string, unknown>;
    const one = await api('GET', `/tenants/zoo/ingestions/${rejected.id as string}`, undefined, token);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ status: 'rejected', object: `tenants/zoo/rejected/${first.batchId}/d-too-bad.csv`, attempts: 1 });
    expect((one.body.badRowSamples as string[]).slice(0, 2)).toEqual(['line 2: temperature: must be at most 100', 'line 3: temperature: must be at most 100']);
    // The status filter (other tests' rejections of the zoo may be listed too).
    const rejectedOnly = (await api('GET', '/tenants/zoo/ingestions?status=rejected', undefined, token)).body.ingestions as Array<Record<string, unknown>>;
    expect(rejectedOnly).toContainEqual(expect.objectContaining({ fileName: 'd-too-bad.csv', batchId: first.batchId }));
    expect(rejectedOnly.every((ingestion) => ingestion.status === 'rejected')).toBe(true);
  });

  it('moved each object to ingested/ or rejected/', async () => {
    const s3 = createS3Client(config);
    const exists = (key: string) =>
      s3.send(new HeadObjectCommand({ Bucket: config.ingestBucket, Key: key })).then(
        () => true,
        () => false,
      );
    expect(await exists(`tenants/zoo/ingested/${first.batchId}/a-readings.csv`)).toBe(true);
    expect(await exists(`tenants/zoo/rejected/${first.batchId}/d-too-bad.csv`)).toBe(true);
    expect(await exists(`tenants/zoo/incoming/${first.batchId}/a-readings.csv`)).toBe(false);
  });

  it('adds no duplicate row when the same directory is sent again', async () => {
    const run = await runFetchdata();
    const second = JSON.parse(run.stdout) as Summary;
    expect(second.batchId).not.toBe(first.batchId);
    expect(second.files.filter((file) => file.status === 'ingested').map((file) => file.file)).toEqual([
      'a-readings.csv',
      'b-readings.ndjson',
      'c-some-bad.csv',
    ]);
    expectExactRows(await rowsInCassandra());
  });

  it('makes its table again when an operator drops it under the running functions', async () => {
    // The functions wrote to this table a moment ago; a schema they remembered would send every write to a table that is gone.
    await client.execute('DROP TABLE test_tenant_zoo.sensor_readings');
    const run = await runFetchdata();
    const again = JSON.parse(run.stdout) as Summary;
    expect(again.files.filter((file) => file.status === 'ingested').map((file) => file.file)).toEqual([
      'a-readings.csv',
      'b-readings.ndjson',
      'c-some-bad.csv',
    ]);
    expectExactRows(await rowsInCassandra());
  });

  it('prints a table a person can read', async () => {
    const run = await runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', 'zoo', '--dir', dir], {
      MYSIMBDP_PASSWORD: DEMO.zoo.password,
    });
    expect(run.stdout).toMatch(/│ file\s+│ format\s+│ bytes\s+│ rows\s+│ seconds\s+│ status\s+│ table\s+│ reason/);
    expect(run.stdout).toMatch(/3 of 4 selected files ingested \(97 rows\); 1 rejected, 0 refused, 0 failed, 3 skipped/);
    expect(run.stderr).toMatch(/skipped f-sheet\.xlsx: format not allowed/);
  });

  it('refuses a wrong password with exit code 3', async () => {
    const run = await runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', 'zoo', '--dir', dir], {
      MYSIMBDP_PASSWORD: 'wrong',
    });
    expect(run.status).toBe(3);
    expect(run.stderr).toBe('fetchdata: wrong tenant id or password\n');
  });
});
