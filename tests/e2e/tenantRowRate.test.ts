import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type cassandra from 'cassandra-driver';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { connectCassandra, runCli, topology } from '../helpers/testPlatform';
import { uploadFile, waitForIngestion } from '../helpers/uploads';

const TENANT = 'paced';
const PASSWORD = 'paced-password-123';
const KEYSPACE = `test_tenant_${TENANT}`;
/** The tenant's limits.rowsPerSecond. */
const LIMIT = 2000;
/** About 70 s of writing at the limit: more than one 60 s window, in about 45 chunks of the test stage's 64 KiB. */
const ROWS = 140_000;
const WINDOW_MS = 60_000;

/**
 * The heaviest 60 s of writing, from the rows' write times (µs, as Cassandra
 * stamped them): the most rows whose write times lie within any 60 s.
 */
function busiestWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= WINDOW_MS * 1000) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

describe("a tenant's limits.rowsPerSecond, held by all its chunk invocations together", () => {
  let client: cassandra.Client;
  let token: string;

  beforeAll(async () => {
    client = await connectCassandra();
    const folder = await tenantsFolder();
    await addTenant(folder, TENANT, PASSWORD, ['--formats', 'csv', '--max-file-size', '8 MiB', '--no-provision']);
    const path = join(folder, TENANT, 'profile.json');
    const profile = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, `${JSON.stringify({ ...profile, limits: { rowsPerSecond: LIMIT } }, null, 2)}\n`);
    const provisioned = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'provision']);
    if (provisioned.status !== 0) throw new Error(`tenants provision failed (${provisioned.status}): ${provisioned.stderr}${provisioned.stdout}`);
    token = await tokenOnceServed(TENANT, PASSWORD);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  it('writes a file of many chunks, several at once, at no more than the limit over any 60 s, and lands every row', async () => {
    const lines = ['id,note,amount'];
    for (let id = 1; id <= ROWS; id += 1) lines.push(`${id},note ${id},${id * 3}`);
    const grant = await uploadFile(TENANT, token, 'paced-rows.csv', `${lines.join('\n')}\n`);
    const done = await waitForIngestion(TENANT, token, grant.ingestionId, ['ingested', 'rejected', 'failed'], 170_000);
    expect(done).toMatchObject({ status: 'ingested', rows: ROWS, badRows: 0 });
    expect(done.chunks?.total).toBeGreaterThanOrEqual(8);

    // Every row, once, and when Cassandra wrote it.
    const times: number[] = [];
    const ids = new Set<bigint>();
    const result = await client.execute(`SELECT id, writetime(note) AS written FROM ${KEYSPACE}.paced_rows`, [], { fetchSize: 5000, autoPage: true });
    for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) {
      ids.add(row.get('id') as bigint);
      times.push(Number(row.get('written') as bigint));
    }
    expect(ids.size).toBe(ROWS);
    expect(times).toHaveLength(ROWS);

    // Held to the limit over any 60 s (within 10 %: the limiter lets one second of burst go ahead), and kept near it.
    const busiest = busiestWindow(times);
    expect(busiest).toBeLessThanOrEqual(LIMIT * 60 * 1.1);
    expect(busiest).toBeGreaterThanOrEqual(LIMIT * 60 * 0.9);

    // Several chunk invocations wrote at once, and their writers waited for the tenant's share.
    const chunks = await client.execute(
      `SELECT chunk, written_at, write_ms, rate_wait_ms FROM ${topology.platformKeyspace}.ingestion_chunks WHERE tenant = ? AND ingestion_id = ?`,
      [TENANT, grant.ingestionId],
      { prepare: true },
    );
    const spans = chunks.rows.map((row) => {
      const end = (row.get('written_at') as Date).getTime();
      return { start: end - Number(row.get('write_ms')), end, waited: Number(row.get('rate_wait_ms') ?? 0) };
    });
    const overlapping = spans.some((span, i) => spans.some((other, j) => i !== j && other.start < span.end && span.start < other.end));
    const mostAtOnce = Math.max(...spans.map((span) => spans.filter((other) => other.start < span.end && span.start < other.end).length));
    console.log(
      `rows/s limit ${LIMIT}: the busiest 60 s wrote ${busiest} rows (${(busiest / 60).toFixed(0)} rows/s), with up to ${mostAtOnce} chunk writers at once`,
    );
    expect(overlapping).toBe(true);
    expect(spans.reduce((sum, span) => sum + span.waited, 0)).toBeGreaterThan(0);
  }, 240_000);
});
