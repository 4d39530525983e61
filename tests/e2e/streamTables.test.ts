import { expect } from '@jest/globals';
import type cassandra from 'cassandra-driver';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addTenant, tenantsFolder, tokenOnceServed } from '../helpers/extraTenants';
import { api, connectCassandra, runCli, topology, waitFor } from '../helpers/testPlatform';
import { uploadFile, waitForIngestion } from '../helpers/uploads';

// A generic tenant's batch files go to a table named after the file, and its
// stream messages to `stream_messages`: a file named `stream_messages.csv`
// must never make that table with the batch layout, before the first message
// or after it, and the stream must keep landing.

const TENANT = 'clashing';
const PASSWORD = 'clashing-password-123';
const CLASH = 'stream_messages.csv';
const REFUSED = {
  error: 'INVALID_INPUT',
  message: `${CLASH}: table stream_messages is the tenant's stream table; rename the file`,
  table: 'stream_messages',
};

let client: cassandra.Client;
let token: string;
const keyspace = topology.tenantKeyspace({ keyspace: `tenant_${TENANT}` });

beforeAll(async () => {
  client = await connectCassandra();
  await addTenant(await tenantsFolder(), TENANT, PASSWORD, ['--formats', 'csv']);
  token = await tokenOnceServed(TENANT, PASSWORD);
});

afterAll(async () => {
  await client.shutdown();
});

/** Sends one message over the HTTP queue endpoint, and waits until its row is in the stream table. */
async function messageLands(id: string): Promise<void> {
  const sent = await api('POST', `/tenants/${TENANT}/messages`, { messages: [{ id, body: { hello: id } }] }, token);
  expect(sent.status).toBe(202);
  const row = await waitFor(
    `message ${id} in ${keyspace}.stream_messages`,
    async () => (await client.execute(`SELECT body FROM ${keyspace}.stream_messages WHERE message_id = ?`, [id])).first() ?? undefined,
    60_000,
    500,
  );
  expect(JSON.parse(row.get('body') as string)).toEqual({ hello: id });
}

/** The primary key of the stream table, as Cassandra has it. */
async function streamTableKey(): Promise<string[]> {
  const columns = await client.execute('SELECT column_name, kind FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [
    keyspace,
    'stream_messages',
  ]);
  return columns.rows.filter((row) => row.get('kind') !== 'regular').map((row) => row.get('column_name') as string);
}

describe("a generic tenant's file named after its stream table", () => {
  it('is refused before its first message, with the reason, and makes no table', async () => {
    const grant = await api('POST', `/tenants/${TENANT}/uploads`, { fileName: CLASH, size: 20 }, token);
    expect({ status: grant.status, body: grant.body }).toEqual({ status: 400, body: REFUSED });
    expect(await streamTableKey()).toEqual([]);
  });

  it('lets the first message make the stream table with its own key', async () => {
    await messageLands('first');
    expect(await streamTableKey()).toEqual(['message_id']);
  });

  it('is refused after the first message too, by fetchdata as by the API, and the stream keeps landing', async () => {
    const grant = await api('POST', `/tenants/${TENANT}/uploads`, { fileName: CLASH, size: 20 }, token);
    expect({ status: grant.status, body: grant.body }).toEqual({ status: 400, body: REFUSED });
    const dir = await mkdtemp(join(tmpdir(), 'clash-'));
    await writeFile(join(dir, CLASH), 'id,value\na,1\n');
    await writeFile(join(dir, 'readings.csv'), 'id,value\na,1\nb,2\n');
    const run = await runCli('clients/fetchdata.ts', ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', TENANT, '--dir', dir, '--json'], {
      MYSIMBDP_PASSWORD: PASSWORD,
    });
    expect(run.status).toBe(1);
    const files = (JSON.parse(run.stdout) as { files: Array<{ file: string; status: string; reason?: string }> }).files;
    expect(files.find((file) => file.file === CLASH)).toMatchObject({ status: 'refused', reason: `refused by the platform: ${REFUSED.message}` });
    expect(files.find((file) => file.file === 'readings.csv')).toMatchObject({ status: 'ingested' });
    await messageLands('second');
    expect(await streamTableKey()).toEqual(['message_id']);
  });

  it('may go to a table of another name', async () => {
    const granted = await uploadFile(TENANT, token, 'stream_messages_archive.csv', 'id,value\na,1\n');
    expect(await waitForIngestion(TENANT, token, granted.ingestionId, ['ingested', 'rejected', 'failed'])).toMatchObject({ status: 'ingested', rows: 1 });
    await messageLands('third');
  });
});
