import cassandra from 'cassandra-driver';
import { InvalidInputError } from '../../layers/platform/src/errors';
import { ingestionIdOf, IngestionStore } from '../../layers/platform/src/ingest/files/IngestionStore';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';
import { BATCH_ID, processingRecord } from './fakes/processingRecord';

const batchId = BATCH_ID;
const ingestionId = ingestionIdOf(batchId, 'a.csv', 'grant-1');
const startedAt = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));

const record = processingRecord({ ingestionId, bytes: 42, startedAt, grantId: 'grant-1', updatedAt: startedAt });

/** The record as Cassandra hands it back: bigints, nulls, a map. */
const storedRow = {
  tenant: 'zoo',
  batch_id: batchId,
  ingestion_id: ingestionId,
  file_name: 'a.csv',
  object_key: record.objectKey,
  final_key: null,
  format: 'csv',
  bytes: 42n,
  rows: 7n,
  bad_rows: 1n,
  bad_row_samples: ['line 3: bad'],
  tables: ['tenant_zoo.readings'],
  started_at: startedAt,
  finished_at: null,
  duration_ms: 1500n,
  status: 'ingested',
  reason: null,
  attempts: 2,
  grant_id: 'grant-1',
  version: 'v1',
  version_id: 'v1',
  etag: 'e1',
  phase: null,
  chunks_total: null,
  plan_context: null,
  updated_at: null,
  refused: new Map([['v2', 'another upload']]),
  dry_run: null,
  bad_rows_key: null,
};

function setUp() {
  const client = new FakeCassandraClient();
  return { client, store: new IngestionStore(client.asClient(), 'unit_mysimbdp') };
}

describe('the ingestion store', () => {
  it('creates a record only where there is none, with a lightweight transaction', async () => {
    const { client, store } = setUp();
    expect(await store.create(record)).toEqual({ created: true, record });
    const [insert] = client.statements;
    expect(insert?.query).toMatch(
      /^INSERT INTO unit_mysimbdp\.ingestions \(tenant, batch_id, ingestion_id, file_name, .*\) VALUES \(\?(, \?)+\) IF NOT EXISTS$/,
    );
    expect(insert?.params.slice(0, 8)).toEqual(['zoo', batchId, ingestionId, 'a.csv', record.objectKey, null, 'csv', 42n]);
    expect(insert?.options).toEqual({ prepare: true, isIdempotent: false, serialConsistency: cassandra.types.consistencies.localSerial });
  });

  it('returns the record that is there when another invocation created it first', async () => {
    const { client, store } = setUp();
    client.answer(/IF NOT EXISTS$/, [{ '[applied]': false }]);
    client.answer(/^SELECT/, [storedRow]);
    const { created, record: existing } = await store.create(record);
    expect(created).toBe(false);
    expect(existing).toMatchObject({
      status: 'ingested',
      rows: 7,
      badRows: 1,
      durationMs: 1500,
      finalKey: undefined,
      refused: { v2: 'another upload' },
      dryRun: false,
      attempts: 2,
    });
  });

  it('changes the status only from the statuses given, for the object version given, and says whether it did', async () => {
    const { client, store } = setUp();
    expect(await store.transition(record, 'v1', ['processing', 'retrying'], { status: 'ingested', rows: 3 }, 'writing')).toBe(true);
    const [update] = client.statements;
    expect(update?.query).toBe(
      'UPDATE unit_mysimbdp.ingestions SET rows = ?, status = ?, updated_at = ? WHERE tenant = ? AND batch_id = ? AND ingestion_id = ? IF run = ? AND status IN ? AND phase = ?',
    );
    expect(update?.params.slice(0, 2)).toEqual([3n, 'ingested']);
    expect(update?.params.slice(3)).toEqual(['zoo', batchId, ingestionId, 'v1', ['processing', 'retrying'], 'writing']);
    client.answer(/^UPDATE/, [{ '[applied]': false }]);
    expect(await store.transition(record, 'v1', ['processing'], { status: 'failed' })).toBe(false);
  });

  it('writes progress and refused uploads as plain updates', async () => {
    const { client, store } = setUp();
    await store.update(record, { rows: 10, reason: undefined });
    await store.noteRefused(record, 'v2', 'another upload');
    expect(client.statements.map((statement) => [statement.query, statement.params.length])).toEqual([
      ['UPDATE unit_mysimbdp.ingestions SET rows = ?, reason = ?, updated_at = ? WHERE tenant = ? AND batch_id = ? AND ingestion_id = ?', 6],
      ['UPDATE unit_mysimbdp.ingestions SET refused[?] = ? WHERE tenant = ? AND batch_id = ? AND ingestion_id = ?', 5],
    ]);
    expect(client.statements[0]?.params.slice(0, 2)).toEqual([10n, null]);
    expect(client.statements[1]?.params).toEqual(['v2', 'another upload', 'zoo', batchId, ingestionId]);
  });

  it('reads a record by its id, whose batch it names, and refuses what is no ingestion id', async () => {
    const { client, store } = setUp();
    expect(await store.get('zoo', ingestionId)).toBeUndefined();
    expect(client.statements[0]?.params).toEqual(['zoo', batchId, ingestionId]);
    await expect(store.get('zoo', 'nonsense')).rejects.toEqual(
      new InvalidInputError('"nonsense" is not an ingestion id (expected <batch id>-<10 hex digits>)'),
    );
  });

  it("lists a tenant's records, of one batch or all, filtered by status, at most the limit", async () => {
    const { client, store } = setUp();
    client.answer(/^SELECT/, [storedRow, { ...storedRow, status: 'rejected' }, storedRow]);
    expect((await store.list('zoo', { status: 'ingested', limit: 1 })).map((each) => each.status)).toEqual(['ingested']);
    expect(await store.list('zoo', { batchId })).toHaveLength(3);
    expect(client.statements.map((statement) => [/WHERE tenant = \?( AND batch_id = \?)?$/.exec(statement.query)?.[0], statement.params])).toEqual([
      ['WHERE tenant = ?', ['zoo']],
      ['WHERE tenant = ? AND batch_id = ?', ['zoo', batchId]],
    ]);
  });
});
