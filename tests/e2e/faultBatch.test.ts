import type cassandra from 'cassandra-driver';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CassandraService } from '../../localstack/services/CassandraService';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { recordFaultFigures } from '../helpers/faultFigures';
import { api, connectCassandra, runCli, waitFor } from '../helpers/testPlatform';

/**
 * Cassandra, shared by everyone on this machine, stopped for 60 s while a file
 * is being written in chunks. Run only through the test lock (`npm test`); it
 * always starts Cassandra again.
 */
const TENANT = 'outage';
const PASSWORD = 'outage-password-123';
const ROWS = 150_000;
const OUTAGE_MS = 60_000;
const cassandraService = new CassandraService();

describe('Cassandra stopped for 60 s while a file is being written', () => {
  let client: cassandra.Client;

  beforeAll(async () => {
    const folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, ['--formats', 'csv', '--max-file-size', '8 MiB']);
    await waitFor('the new tenant to log in', async () =>
      (await api('POST', '/auth/login', { tenant: TENANT, password: PASSWORD })).status === 200 ? true : undefined,
    );
    client = await connectCassandra();
  });

  afterAll(async () => {
    await cassandraService.start();
    await client.shutdown();
  });

  const written = async (): Promise<{ chunks: number; written: number }> => {
    const rows = (await client.execute('SELECT written_at FROM test_mysimbdp.ingestion_chunks WHERE tenant = ? ALLOW FILTERING', [TENANT])).rows;
    return { chunks: rows.length, written: rows.filter((row) => row.get('written_at')).length };
  };

  it('ends ingested with no operator step, every row once, and fetchdata following it exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fault-batch-'));
    await writeFile(
      join(dir, 'outage.csv'),
      `${['id,note,amount', ...Array.from({ length: ROWS }, (_, n) => `${n + 1},note ${n + 1},${n * 2}`)].join('\n')}\n`,
    );
    const fetching = runCli(
      'clients/fetchdata.ts',
      ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', TENANT, '--dir', dir, '--json', '--patience', '600', '--timeout', '900'],
      { MYSIMBDP_PASSWORD: PASSWORD },
    );
    // The outage begins while the file's chunks are being written.
    const before = await waitFor(
      'chunks being written',
      async () => {
        const now = await written();
        return now.written >= 3 && now.written < now.chunks - 5 ? now : undefined;
      },
      240_000,
      50,
    );
    const stoppedAt = Date.now();
    let servingAt = stoppedAt;
    try {
      await cassandraService.stop();
      await waitFor('60 s of outage', async () => (Date.now() - stoppedAt >= OUTAGE_MS ? true : undefined), OUTAGE_MS + 10_000, 1000);
    } finally {
      await cassandraService.start();
      servingAt = Date.now();
    }

    const fetched = await fetching;
    const recoveredAt = Date.now();
    expect(fetched.status).toBe(0);
    const summary = JSON.parse(fetched.stdout) as { files: Array<Record<string, unknown>> };
    expect(summary.files).toEqual([expect.objectContaining({ file: 'outage.csv', status: 'ingested', rows: ROWS })]);
    expect((summary.files[0]?.chunks as { total: number }).total).toBeGreaterThan(before.written);

    await client.shutdown();
    client = await connectCassandra();
    let count = 0;
    for (let part = 0; part <= ROWS / 10_000 + 1; part += 1) {
      count += Number(
        (await client.execute(`SELECT COUNT(*) FROM test_tenant_${TENANT}.outage WHERE ingest_file = ? AND ingest_part = ?`, ['outage.csv', part]))
          .first()
          ?.get(0),
      );
    }
    // Rows are keyed by (file, line): a row written twice would still count once, so the count says no row was lost.
    expect(count).toBe(ROWS);
    await recordFaultFigures({
      fault: 'Cassandra stopped for 60 s while a file was being written in chunks (fetchdata following it)',
      downtimeSeconds: Math.round((servingAt - stoppedAt) / 1000),
      messages: ROWS,
      inFlightAtFault: Math.round((ROWS * (before.chunks - before.written)) / before.chunks),
      lost: ROWS - count,
      duplicated: 0,
      recoverSeconds: Math.round((recoveredAt - servingAt) / 1000),
      notes: `rows of a ${before.chunks}-chunk file, ${before.written} chunks written before the outage; ingested with no operator step, fetchdata exit 0`,
    });
  }, 1_200_000);
});
