import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type cassandra from 'cassandra-driver';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { api, config, connectCassandra, login, runCli, waitFor } from '../helpers/testPlatform';

interface Summary {
  batchId: string;
  files: Array<{ file: string; status: string; rows?: number; reason: string; tables?: string[] }>;
}

describe('tenants without their own app, and ingestions that fail', () => {
  let client: cassandra.Client;
  let folder: string;

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await tenantsFolder();
    await addTenant(folder, 'acme', 'acme-password-123', ['--formats', 'csv,json', '--max-bad-rows', '1']);
    await addTenant(folder, 'broken', 'broken-password-123', ['--formats', 'csv']);
    await waitFor('the new tenants to be served', async () =>
      (await api('POST', '/auth/login', { tenant: 'acme', password: 'acme-password-123' })).status === 200 ? true : undefined,
    );
  });

  afterAll(async () => {
    await client.shutdown();
  });

  const fetchdata = (tenant: string, password: string, dir: string, timeout = '120') =>
    runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', tenant, '--dir', dir, '--json', '--timeout', timeout], {
      MYSIMBDP_PASSWORD: password,
    });

  it('loads CSV and JSON into tables made from the header, typed conservatively', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acme-'));
    await writeFile(
      join(dir, 'Customers 2024.csv'),
      [
        'Customer ID,Name,Zip Code,Balance,Joined,Active',
        '1,Ada,00501,10.5,2024-01-02,true',
        '2,"Lovelace, Jr.",10001,-3,2024-02-29,false',
        '3,Grace,02134,,2024-03-01,TRUE',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'events.json'),
      JSON.stringify([
        { id: 1, kind: 'signup', meta: { src: 'web' } },
        { id: 2, kind: 'login', meta: { src: 'app' } },
      ]),
    );
    const run = await fetchdata('acme', 'acme-password-123', dir);
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.files.map((f) => [f.file, f.status, f.rows, f.tables])).toEqual([
      ['Customers 2024.csv', 'ingested', 3, ['test_tenant_acme.customers_2024']],
      ['events.json', 'ingested', 2, ['test_tenant_acme.events']],
    ]);

    const types = Object.fromEntries(
      (
        await client.execute("SELECT column_name, type FROM system_schema.columns WHERE keyspace_name = 'test_tenant_acme' AND table_name = 'customers_2024'")
      ).rows.map((row): [string, string] => [row.get('column_name') as string, row.get('type') as string]),
    );
    expect(types).toEqual({
      ingest_file: 'text',
      ingest_part: 'int',
      ingest_line: 'bigint',
      customer_id: 'bigint',
      name: 'text',
      zip_code: 'text',
      balance: 'double',
      joined: 'date',
      active: 'boolean',
    });
    const customers = (await client.execute('SELECT customer_id, name, zip_code, balance, joined, active FROM test_tenant_acme.customers_2024')).rows
      .map((row): unknown[] => [row.get('customer_id'), row.get('name'), row.get('zip_code'), row.get('balance'), String(row.get('joined')), row.get('active')])
      .sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(customers).toEqual([
      [1n, 'Ada', '00501', 10.5, '2024-01-02', true],
      [2n, 'Lovelace, Jr.', '10001', -3, '2024-02-29', false],
      [3n, 'Grace', '02134', null, '2024-03-01', true],
    ]);
    const events = (await client.execute('SELECT id, kind, meta FROM test_tenant_acme.events')).rows
      .map((row): unknown[] => [row.get('id'), row.get('kind'), row.get('meta')])
      .sort();
    expect(events).toEqual([
      [1n, 'signup', '{"src":"web"}'],
      [2n, 'login', '{"src":"app"}'],
    ]);
  });

  it('retries a failing ingestion, then records it as failed and dead-letters it, losing nothing', async () => {
    // An operator dropped the tenant's keyspace: every write fails until it is back.
    await client.execute('DROP KEYSPACE IF EXISTS test_tenant_broken');
    const dir = await mkdtemp(join(tmpdir(), 'broken-'));
    await writeFile(join(dir, 'data.csv'), 'a,b\n1,2\n3,4\n');
    const run = await fetchdata('broken', 'broken-password-123', dir, '180');
    expect(run.status).toBe(1);
    const summary = JSON.parse(run.stdout) as Summary;
    expect(summary.files[0]).toMatchObject({ file: 'data.csv', status: 'failed' });
    expect(summary.files[0]?.reason).toMatch(/^gave up after 3 attempts: .*keyspace.*; the file's task is in its tenant's chunk dead-letter queue$/i);

    const token = await login('broken', 'broken-password-123');
    const report = await api('GET', `/tenants/broken/ingestions?batch=${summary.batchId}`, undefined, token);
    expect(report.body.ingestions).toEqual([expect.objectContaining({ status: 'failed', attempts: 3, rows: 0 })]);

    // The operator's tool lists the dead letter, with why it died.
    const tenantsCli = (args: string[]) => runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, ...args]);
    const listed = await waitFor(
      "the file's task in the tenant's chunk dead-letter queue",
      async () => {
        const run = await tenantsCli(['dead-letters', 'broken', '--json']);
        const batch = (JSON.parse(run.stdout) as Record<string, Array<{ kind: string; count: number; reasons: Array<{ reason: string }> }>>).broken?.find(
          (summary) => summary.kind === 'chunks',
        );
        return batch && batch.count > 0 ? batch : undefined;
      },
      90_000,
      1000,
    );
    expect(listed.count).toBe(1);
    expect(listed.reasons[0]?.reason).toMatch(/keyspace.*\(try 3 of 3\)$/i);
    // The tenant's ingestion report counts it too (its dead-letter counts are refreshed every 30 s).
    const reported = await waitFor(
      'the dead letter in the ingestion report',
      async () => {
        const totals = (await api('GET', `/tenants/broken/ingestions?batch=${summary.batchId}`, undefined, token)).body.totals as {
          deadLetters: Array<{ kind: string; count: number }> | null;
        };
        const batch = totals.deadLetters?.find((summary) => summary.kind === 'chunks');
        return batch?.count ? batch : undefined;
      },
      60_000,
      2000,
    );
    expect(reported).toMatchObject({ kind: 'chunks', queue: 'mysimbdp-test-chunks-broken-dlq', count: 1, complete: true });
    const s3 = createS3Client(config);
    await s3.send(new HeadObjectCommand({ Bucket: config.ingestBucket, Key: `tenants/broken/incoming/${summary.batchId}/data.csv` }));

    // The keyspace is back; the operator redrives the tenant's dead letters with the tool and the file is ingested.
    await client.execute("CREATE KEYSPACE test_tenant_broken WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    const dryRun = await tenantsCli(['redrive', 'broken', '--batch', '--dry-run']);
    expect(dryRun.status).toBe(0);
    expect(dryRun.stdout).toMatch(/^broken: 1 chunks dead letter would move from mysimbdp-test-chunks-broken-dlq$/m);
    const redrive = await tenantsCli(['redrive', 'broken', '--batch']);
    expect(redrive.status).toBe(0);
    expect(redrive.stdout).toMatch(/^broken: 1 chunks dead letter moved from mysimbdp-test-chunks-broken-dlq$/m);
    const done = await waitFor(
      'the redriven ingestion',
      async () => {
        const reply = await api('GET', `/tenants/broken/ingestions?batch=${summary.batchId}`, undefined, token);
        const record = (reply.body.ingestions as Array<Record<string, unknown>>)[0];
        return record?.status === 'ingested' ? record : undefined;
      },
      60_000,
      1000,
    );
    expect(done).toMatchObject({ rows: 2, attempts: 4 });
    expect((await client.execute('SELECT a, b FROM test_tenant_broken.data')).rows.map((row): unknown[] => [row.get('a'), row.get('b')]).sort()).toEqual([
      [1n, 2n],
      [3n, 4n],
    ]);
  });
});
