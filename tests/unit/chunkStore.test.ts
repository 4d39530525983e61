import cassandra from 'cassandra-driver';
import { ChunkStore, countChunks } from '../../layers/platform/src/ingest/files/ChunkStore';
import { FakeCassandraClient, type FakeRowValues } from './fakes/FakeCassandraClient';
import { FakeClock } from './fakes/FakeClock';

const version = { tenant: 'zoo', ingestionId: '20261130T120000Z-abcdef-0123456789', version: 'v1' };
const key = ['zoo', version.ingestionId, 'v1'];
/** A lightweight transaction: at LOCAL_SERIAL, and never sent again by the driver on its own. */
const LWT = { prepare: true, isIdempotent: false, serialConsistency: cassandra.types.consistencies.localSerial };

function checkpoint(values: Partial<Record<string, unknown>>): FakeRowValues {
  return { chunk: 0, start_byte: 0n, end_byte: 100n, position_offset: 0n, records: null, rows: null, bad_rows: null, bad_row_samples: null, ...values };
}

function setUp() {
  const client = new FakeCassandraClient();
  return { client, store: new ChunkStore(client.asClient(), 'unit_mysimbdp', clock) };
}

/** The time leases are read by, held still: a minute before it is past, a minute after it is later. */
const clock = new FakeClock();
const past = new Date(clock.now() - 60_000);
const later = new Date(clock.now() + 60_000);

describe('the chunk checkpoints', () => {
  it.each([
    ['planned', {}],
    ['validated', { validated_at: past }],
    ['failed', { validated_at: new Date(past.getTime() - 1000), failed_at: past }],
    ['validated', { validated_at: past, failed_at: new Date(past.getTime() - 1000) }],
    ['writing', { validated_at: past, lease_until: later }],
    ['validated', { validated_at: past, lease_until: past }],
    ['written', { validated_at: past, lease_until: later, written_at: past }],
  ])('reads a chunk as %s from its checkpoints %j', async (status, values) => {
    const { client, store } = setUp();
    client.answer(/^SELECT/, [checkpoint(values)]);
    expect((await store.get(version, 0))?.status).toBe(status);
  });

  it('reads the counts and the last activity of a chunk', async () => {
    const { client, store } = setUp();
    client.answer(/^SELECT/, [
      checkpoint({
        chunk: 2,
        start_byte: 200n,
        end_byte: 300n,
        records: 9n,
        rows: 9n,
        bad_rows: 1n,
        bad_row_samples: ['line 5: bad'],
        validated_at: past,
        validate_attempts: 2,
      }),
    ]);
    const [state] = await store.list(version);
    expect(state).toMatchObject({
      index: 2,
      start: 200,
      end: 300,
      sourceRecords: 9,
      rows: 9,
      badRows: 1,
      badRowSamples: ['line 5: bad'],
      validateAttempts: 2,
      lastActivity: past,
    });
    expect(client.statements[0]?.params).toEqual(key);
    expect(countChunks([state!, { ...state!, status: 'written' }, { ...state!, status: 'failed' }], 5)).toEqual({
      total: 5,
      validated: 2,
      written: 1,
      failed: 1,
    });
  });

  it('records the byte ranges cut, validation and writing, keyed by the object version and the chunk', async () => {
    const { client, store } = setUp();
    await store.cut(version, [{ index: 0, start: 0, end: 100, positionOffset: 1 }]);
    await store.startValidation(version, 0, 2);
    await store.validated(version, 0, { sourceRecords: 3, rows: 3, badRows: 0, badRowSamples: [], ms: 12.4 });
    await store.written(version, 0, 3, 7.6);
    await store.failed(version, 0, 'gave up');
    expect(client.statements.map((statement) => statement.query.replace(/ WHERE .*/, ''))).toEqual([
      'UPDATE unit_mysimbdp.ingestion_chunks SET start_byte = ?, end_byte = ?, position_offset = ?',
      'UPDATE unit_mysimbdp.ingestion_chunks SET validate_attempts = ?',
      'UPDATE unit_mysimbdp.ingestion_chunks SET records = ?, rows = ?, bad_rows = ?, bad_row_samples = ?, validate_ms = ?, kept_row_parts = ?, validated_at = ?',
      'UPDATE unit_mysimbdp.ingestion_chunks SET rows_written = ?, write_ms = ?, rate_wait_ms = ?, written_at = ?',
      'UPDATE unit_mysimbdp.ingestion_chunks SET failed_at = ?, reason = ?',
    ]);
    expect(client.statements[0]?.params).toEqual([0n, 100n, 1n, ...key, 0]);
    expect(client.statements[2]?.params.slice(0, 5)).toEqual([3n, 3n, 0n, [], 12]);
    expect(client.statements[3]?.params.slice(0, 2)).toEqual([3n, 8]);
  });

  it('claims a write only when no live lease holds it, conditioned on the lease it saw, counting the attempt', async () => {
    const { client, store } = setUp();
    client.answer(/^SELECT/, [checkpoint({ validated_at: past, lease_until: past, write_attempts: 1 })]);
    const claim = await store.claimWrite(version, 0, 'me', 60_000);
    expect(claim).toMatchObject({ claimed: true, state: { status: 'writing', writeAttempts: 2 } });
    const update = client.matching(/^UPDATE/)[0];
    expect(update?.query).toBe(
      'UPDATE unit_mysimbdp.ingestion_chunks SET lease_owner = ?, lease_until = ?, write_attempts = ? WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk = ? IF written_at = null AND lease_until = ?',
    );
    expect(update?.params[0]).toBe('me');
    expect(update?.params.slice(2)).toEqual([2, ...key, 0, past]);
    expect(update?.options).toEqual(LWT);
  });

  it('tries the claim again when another invocation changed the lease between the read and the write', async () => {
    const { client, store } = setUp();
    let reads = 0;
    client.answer(/^SELECT/, () =>
      reads++ === 0 ? [checkpoint({ validated_at: past })] : [checkpoint({ validated_at: past, lease_until: later, lease_owner: 'other' })],
    );
    client.answer(/^UPDATE/, [{ '[applied]': false }]);
    expect(await store.claimWrite(version, 0, 'me', 60_000)).toMatchObject({ claimed: false, state: { status: 'writing', leaseOwner: 'other' } });
  });

  it('refuses to claim a written chunk, or one never cut', async () => {
    const { client, store } = setUp();
    await expect(store.claimWrite(version, 0, 'me', 60_000)).rejects.toThrow(`chunk 0 of ${version.ingestionId} was never cut`);
    client.answer(/^SELECT/, [checkpoint({ written_at: past })]);
    expect(await store.claimWrite(version, 0, 'me', 60_000)).toMatchObject({ claimed: false, state: { status: 'written' } });
  });

  it('renews and releases a lease only for its owner', async () => {
    const { client, store } = setUp();
    expect(await store.renew(version, 0, 'me', 1000)).toBe(true);
    await store.release(version, 0, 'me');
    expect(client.statements.map((statement) => [statement.query.replace(/ WHERE .* IF/, ' IF'), statement.params.at(-1)])).toEqual([
      ['UPDATE unit_mysimbdp.ingestion_chunks SET lease_until = ? IF lease_owner = ?', 'me'],
      ['UPDATE unit_mysimbdp.ingestion_chunks SET lease_until = ? IF lease_owner = ?', 'me'],
    ]);
    expect(client.statements[1]?.params[0]).toEqual(new Date(0));
    client.answer(/^UPDATE/, [{ '[applied]': false }]);
    expect(await store.renew(version, 0, 'me', 1000)).toBe(false);
  });
});
