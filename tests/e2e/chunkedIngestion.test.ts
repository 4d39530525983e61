import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type cassandra from 'cassandra-driver';
import { createS3Client } from '../../layers/platform/src/storage/awsClients';
import { STAGING_PREFIX } from '../../layers/platform/src/topology/Topology';
import { ServerlessOffline } from '../../localstack/PlatformProcess';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { config, connectCassandra, runCli, topology, waitFor } from '../helpers/testPlatform';
import { recordFaultFigures } from '../helpers/faultFigures';
import { ingestion, stagedVersions, uploadFile, waitForIngestion } from '../helpers/uploads';
import { generate, loadedRows } from '../helpers/straddlingFiles';
import { gzip } from '../helpers/compressors';

const TENANT = 'chunky';
const PASSWORD = 'chunky-password-123';
const KEYSPACE = `test_tenant_${TENANT}`;

describe('batch ingestion in chunks: a file cut on record boundaries, fanned out, validated, then written, exactly once', () => {
  let client: cassandra.Client;
  let token: string;
  let folder: string;

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, ['--formats', 'csv,json,ndjson,csv.gz', '--max-bad-rows', '10', '--max-file-size', '8 MiB']);
    token = await tokenOnceServed(TENANT, PASSWORD);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  for (const format of ['csv', 'ndjson', 'json'] as const) {
    it(`loads a ${format} file whose records straddle every chunk boundary, value for value`, async () => {
      const file = generate(9000, format);
      expect(file.straddling).toBeGreaterThanOrEqual(3);
      const name = `straddle-${format}.${format}`;
      const grant = await uploadFile(TENANT, token, name, file.text);
      const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed']);
      expect(done).toMatchObject({ status: 'ingested', rows: 9000, badRows: 0, reason: null });
      expect(done.chunks).toEqual({ total: file.chunks, validated: file.chunks, written: file.chunks, failed: 0 });
      expect(file.chunks).toBeGreaterThanOrEqual(4);
      const rows = await loadedRows(client, KEYSPACE, `straddle_${format}`);
      expect(rows.size).toBe(9000);
      for (const [id, want] of file.rows) expect(rows.get(id)).toEqual(want);
    });
  }

  it('rejects a file whose bad rows, spread over its chunks, are together over the tolerance, writing no row', async () => {
    // 4 chunks; amount is not a number in 3 + 3 + 3 + 2 rows: no chunk alone is over the 10 tolerated, the file is.
    const lines = ['id,note,amount'];
    const bad: number[] = [];
    for (let id = 1; id <= 8000; id += 1) {
      const isBad = id > 1000 && id % 600 === 0 && bad.length < 11;
      if (isBad) bad.push(id + 1);
      lines.push(`${id},row ${id},${isBad ? 'lots' : id}`);
    }
    const text = `${lines.join('\n')}\n`;
    const grant = await uploadFile(TENANT, token, 'too-many-bad.csv', text);
    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed']);
    expect(done.chunks?.total).toBeGreaterThanOrEqual(3);
    expect(done).toMatchObject({ status: 'rejected', rows: 0, badRows: 11 });
    // Line numbers are the whole file's, whichever chunk found them.
    expect(done.reason).toBe(
      `more than 10 bad rows (the tenant's maxBadRows); nothing was written. First: ${bad
        .slice(0, 3)
        .map((line) => `line ${line}: amount: "lots" is not a valid bigint`)
        .join('; ')}`,
    );
    expect((done.badRowSamples as string[]).map((sample) => Number(/^line (\d+)/.exec(sample)?.[1]))).toEqual(bad);
    const table = await client.execute('SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?', [KEYSPACE, 'too_many_bad']);
    expect(table.rows).toHaveLength(0);
  });

  it.each([
    ['a CSV file', 'killed.csv', 'killed'],
    ['a gzip CSV file (its chunks staged by the cut)', 'killed-gz.csv.gz', 'killed_gz'],
  ])('survives the function process killed mid-write of %s: only the interrupted chunks are redone, no row lost or doubled', async (what, name, table) => {
    const rows = 120_000;
    const lines = ['id,note,amount', ...Array.from({ length: rows }, (_, n) => `${n + 1},note ${n + 1},${(n + 1) * 3}`)];
    const text = `${lines.join('\n')}\n`;
    const grant = await uploadFile(TENANT, token, name, name.endsWith('.gz') ? gzip(text) : text);
    const run = { tenant: TENANT, ingestionId: grant.ingestionId };
    const chunkRows = async () =>
      (
        await client.execute(
          'SELECT chunk, write_attempts, written_at, lease_until FROM test_mysimbdp.ingestion_chunks WHERE tenant = ? AND ingestion_id = ?',
          [run.tenant, run.ingestionId],
        )
      ).rows;
    const writing = (states: cassandra.types.Row[]) =>
      states.filter((row) => !row.get('written_at') && ((row.get('lease_until') as Date | null)?.getTime() ?? 0) > Date.now());
    // Wait until some chunks are written and others are being written, then kill the process that runs them. A chunk
    // takes tens of milliseconds to write, so the one seen being written may be done by the time the kill lands, with
    // no other begun: the states read after the kill say whether a write was cut off (a lease held, nothing written,
    // and no process left to finish it). If none was, the platform is started again and killed again.
    const offline = new ServerlessOffline('test');
    const killMidWrite = async (): Promise<{ atKill: cassandra.types.Row[]; killedAt: number; servingAt: number }> => {
      for (let kill = 1; kill <= 5; kill += 1) {
        const before = (await chunkRows()).filter((row) => row.get('written_at')).length;
        await waitFor(
          'chunks being written',
          async () => {
            const states = await chunkRows();
            const written = states.filter((row) => row.get('written_at'));
            return written.length >= before + 3 && writing(states).length >= 1 ? true : undefined;
          },
          120_000,
          20,
        );
        await offline.process.kill();
        const killedAt = Date.now();
        const atKill = await chunkRows();
        const cutOff = writing(atKill).length > 0;
        await offline.start();
        if (cutOff) return { atKill, killedAt, servingAt: Date.now() };
      }
      throw new Error('five kills of the platform cut off no chunk being written');
    };
    const { atKill, killedAt, servingAt } = await killMidWrite();
    const writtenBeforeKill = new Set(atKill.filter((row) => row.get('written_at')).map((row) => row.get('chunk') as number));

    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed'], 240_000);
    expect(done).toMatchObject({ status: 'ingested', rows });
    const states = await chunkRows();
    expect(states).toHaveLength(done.chunks?.total as number);
    for (const row of states) {
      if (writtenBeforeKill.has(row.get('chunk') as number)) expect(row.get('write_attempts')).toBe(1);
    }
    expect(states.some((row) => (row.get('write_attempts') as number) >= 2)).toBe(true);
    let count = 0;
    for (let part = 0; part <= rows / 10_000 + 1; part += 1) {
      count += Number(
        (await client.execute(`SELECT COUNT(*) FROM ${KEYSPACE}.${table} WHERE ingest_file = ? AND ingest_part = ?`, [name, part])).first()?.get(0),
      );
    }
    expect(count).toBe(rows);
    await recordFaultFigures({
      fault: `the process running the batch functions (serverless offline) killed with SIGKILL while ${what} was being written in chunks`,
      downtimeSeconds: Math.round((servingAt - killedAt) / 1000),
      messages: rows,
      inFlightAtFault: Math.round((rows * (atKill.length - writtenBeforeKill.size)) / atKill.length),
      lost: rows - count,
      duplicated: 0,
      recoverSeconds: Math.round((Date.now() - servingAt) / 1000),
      notes: `rows of a ${atKill.length}-chunk file; the ${writtenBeforeKill.size} chunks written before the kill were not written again, the interrupted ones were (after their lease and the queue's visibility timeout ran out)`,
    });
  });

  it('marks the record failed, naming what failed and why, when a chunk task fails past its tries; a redrive finishes it', async () => {
    // An operator dropped the keyspace: the file validates, but its tables cannot be made.
    await client.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`);
    const lines = ['id,note,amount', ...Array.from({ length: 6000 }, (_, n) => `${n + 1},note ${n + 1},${n + 1}`)];
    const grant = await uploadFile(TENANT, token, 'lost-keyspace.csv', `${lines.join('\n')}\n`);
    const failed = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed'], 180_000);
    expect(failed.status).toBe('failed');
    // Every chunk validated: what failed is the decision on the file (its tables), not a chunk.
    expect(failed.reason).toMatch(
      /^deciding on the file once its chunks were validated failed 3 times: .*[Kk]eyspace.*(does not|doesn't) exist.*; the object stays in incoming\/ and the task is in the chunk dead-letter queue: redrive it once the cause is fixed$/,
    );
    expect(failed.chunks).toMatchObject({ validated: failed.chunks?.total, failed: 0 });
    await createS3Client(config).send(new HeadObjectCommand({ Bucket: config.ingestBucket, Key: grant.key }));
    // The rows its chunks' validate passes kept stay staged for the redrive, outside the tenant's prefix.
    expect(await stagedVersions(`${STAGING_PREFIX}${TENANT}/${grant.ingestionId}/`)).toBeGreaterThanOrEqual(failed.chunks?.total as number);
    expect(await stagedVersions(`tenants/${TENANT}/staging/`)).toBe(0);

    // The keyspace is back; the operator redrives the tenant's dead-lettered chunk tasks with the tool and the file is ingested.
    await client.execute(`CREATE KEYSPACE ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
    const tenantsCli = (args: string[]) => runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, ...args]);
    const listed = await waitFor(
      'the dead-lettered chunk tasks',
      async () => {
        const run = await tenantsCli(['dead-letters', TENANT, '--json']);
        const summaries = (JSON.parse(run.stdout) as Record<string, Array<{ kind: string; count: number; reasons: Array<{ reason: string }> }>>)[TENANT];
        const chunks = summaries?.find((summary) => summary.kind === 'chunks');
        return chunks && chunks.count >= 1 ? chunks : undefined;
      },
      60_000,
      1000,
    );
    expect(listed.reasons[0]?.reason).toMatch(/[Kk]eyspace/);
    const redrive = await tenantsCli(['redrive', TENANT, '--batch']);
    expect(redrive.status).toBe(0);
    expect(redrive.stdout).toMatch(
      new RegExp(`^${TENANT}: ${listed.count} chunks dead letters? moved from ${topology.chunkQueue(TENANT).deadLetterName}$`, 'm'),
    );
    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested'], 120_000);
    expect(done).toMatchObject({ rows: 6000, reason: null });
    expect((await ingestion(TENANT, token, grant.ingestionId)).chunks).toMatchObject({ failed: 0 });
    expect(Number((await client.execute(`SELECT COUNT(*) FROM ${KEYSPACE}.lost_keyspace`)).first()?.get(0))).toBe(6000);
    // Finished: its staging is dropped, every version (by the invocation that finished it, just after the record).
    await waitFor(
      'the staged rows to be dropped',
      async () => ((await stagedVersions(`${STAGING_PREFIX}${TENANT}/${grant.ingestionId}/`)) === 0 ? true : undefined),
      30_000,
      200,
    );
  });
});
