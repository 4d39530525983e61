import cassandra from 'cassandra-driver';
import { ConflictError } from '../../layers/platform/src/errors';
import { DailyUsageStore, utcDay } from '../../layers/platform/src/uploads/DailyUsageStore';
import { UploadBatchStore } from '../../layers/platform/src/uploads/UploadBatchStore';
import { newGrantId, UploadGrantStore } from '../../layers/platform/src/uploads/UploadGrantStore';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';

/** A lightweight transaction: at LOCAL_SERIAL, and never sent again by the driver on its own. */
const LWT = { prepare: true, isIdempotent: false, serialConsistency: cassandra.types.consistencies.localSerial };
const batchId = '20261130T120000Z-abcdef';
const now = new Date(Date.UTC(2026, 10, 30, 23, 59, 0));

describe('the upload grant store', () => {
  it('writes a grant with its declared size as the limit, and reads it back', async () => {
    const client = new FakeCassandraClient();
    const grants = new UploadGrantStore(client.asClient(), 'unit_mysimbdp');
    const grant = { tenant: 'zoo', batchId, grantId: newGrantId(), fileName: 'a.csv', declaredBytes: 10, dryRun: true, grantedAt: now, expiresAt: now };
    await grants.put(grant);
    expect(client.statements[0]?.params).toEqual(['zoo', batchId, grant.grantId, 'a.csv', 10n, 10n, true, now, now]);
    expect(await grants.get('zoo', batchId, 'nope')).toBeUndefined();
    client.answer(/^SELECT/, [{ file_name: 'a.csv', declared_bytes: 10n, dry_run: true, granted_at: now, expires_at: now }]);
    expect(await grants.get('zoo', batchId, grant.grantId)).toEqual(grant);
    expect(grant.grantId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe('the upload batch store', () => {
  function setUp(fileCount: number, files: Array<[string, bigint]> = []) {
    const client = new FakeCassandraClient();
    client.answer(/^SELECT/, [{ batch_id: batchId, file_count: fileCount, files: new Map(files), created_at: now }]);
    return { client, batches: new UploadBatchStore(client.asClient(), 'unit_mysimbdp') };
  }

  it('creates a batch once', async () => {
    const { client, batches } = setUp(0);
    await batches.create('zoo', batchId, now);
    expect(client.statements[0]).toEqual({
      query: 'INSERT INTO unit_mysimbdp.upload_batches (tenant, batch_id, file_count, files, created_at) VALUES (?, ?, 0, {}, ?) IF NOT EXISTS',
      params: ['zoo', batchId, now],
      options: LWT,
    });
  });

  it('reserves a place with a compare-and-set on the file count', async () => {
    const { client, batches } = setUp(1, [['a.csv', 5n]]);
    expect(await batches.reserveFile('zoo', batchId, 'b.csv', 7, 2)).toBe('reserved');
    expect(client.matching(/^UPDATE/)[0]).toEqual({
      query: 'UPDATE unit_mysimbdp.upload_batches SET file_count = ?, files[?] = ? WHERE tenant = ? AND batch_id = ? IF file_count = ?',
      params: [2, 'b.csv', 7n, 'zoo', batchId, 1],
      options: LWT,
    });
  });

  it('takes no new place for a file it holds, and none past the limit', async () => {
    const { client, batches } = setUp(2, [
      ['a.csv', 5n],
      ['b.csv', 5n],
    ]);
    expect(await batches.reserveFile('zoo', batchId, 'a.csv', 9, 2)).toBe('already-reserved');
    expect(client.matching(/^UPDATE/)[0]?.params).toEqual(['a.csv', 9n, 'zoo', batchId]);
    expect(await batches.reserveFile('zoo', batchId, 'c.csv', 9, 2)).toBe('batch-full');
    expect(await batches.get('zoo', batchId)).toEqual({
      batchId,
      fileCount: 2,
      files: new Map([
        ['a.csv', 5],
        ['b.csv', 5],
      ]),
      createdAt: now,
    });
  });

  it('says so when the batch does not exist, and gives up when it stays too busy', async () => {
    const empty = new FakeCassandraClient();
    expect(await new UploadBatchStore(empty.asClient(), 'ks').reserveFile('zoo', batchId, 'a.csv', 1, 2)).toBe('no-such-batch');
    const { client, batches } = setUp(0);
    client.answer(/^UPDATE/, [{ '[applied]': false }]);
    await expect(batches.reserveFile('zoo', batchId, 'a.csv', 1, 2)).rejects.toEqual(
      new ConflictError(`batch ${batchId} is too busy; retry the upload request`),
    );
    expect(client.matching(/^UPDATE/)).toHaveLength(20);
  });
});

describe('the daily usage store', () => {
  const day = utcDay(now);

  it('counts the UTC day', () => {
    expect(utcDay(new Date(Date.UTC(2026, 10, 30, 23, 59))).toString()).toBe('2026-11-30');
    expect(utcDay(new Date('2026-12-01T00:30:00+01:00')).toString()).toBe('2026-11-30');
  });

  it("makes the day's row on its first upload, then charges with a compare-and-set that remembers the ingestion", async () => {
    const client = new FakeCassandraClient();
    let rows: Array<Record<string, unknown>> = [];
    client.answer(/^SELECT files, bytes, charged/, () => rows);
    client.answer(/^INSERT/, () => {
      rows = [{ files: 0, bytes: 0n, charged: null }];
      return [{ '[applied]': true }];
    });
    const usage = new DailyUsageStore(client.asClient(), 'unit_mysimbdp');
    expect(await usage.charge('zoo', 'ingestion-1', 100, { maxFiles: 2 }, now)).toEqual({ ok: true });
    const update = client.matching(/^UPDATE/)[0];
    expect(update?.query).toBe(
      'UPDATE unit_mysimbdp.daily_usage SET files = ?, bytes = ?, charged[?] = ? WHERE tenant = ? AND day = ? IF files = ? AND bytes = ?',
    );
    expect(update?.params).toEqual([1, 100n, 'ingestion-1', 100n, 'zoo', day, 0, 0n]);
  });

  it('charges an ingestion once, and refuses what breaks the limits, naming which', async () => {
    const client = new FakeCassandraClient();
    client.answer(/^SELECT/, [{ files: 2, bytes: 900n, charged: new Map([['ingestion-1', 100n]]) }]);
    const usage = new DailyUsageStore(client.asClient(), 'unit_mysimbdp');
    expect(await usage.charge('zoo', 'ingestion-1', 100, { maxFiles: 2 }, now)).toEqual({ ok: true });
    expect(await usage.charge('zoo', 'ingestion-2', 100, { maxFiles: 2 }, now)).toEqual({ ok: false, constraint: 'dailyQuota.maxFiles', used: 2, limit: 2 });
    expect(await usage.charge('zoo', 'ingestion-2', 101, { maxBytes: 1000 }, now)).toEqual({
      ok: false,
      constraint: 'dailyQuota.maxBytes',
      used: 900,
      limit: 1000,
    });
    expect(await usage.fits('zoo', 100, { maxBytes: 1000 }, now)).toEqual({ ok: true });
    expect(await usage.usage('zoo', now)).toEqual({ files: 2, bytes: 900 });
    expect(client.matching(/^UPDATE/)).toEqual([]);
  });

  it('gives up when the day stays too busy to update', async () => {
    const client = new FakeCassandraClient();
    client.answer(/^SELECT/, [{ files: 0, bytes: 0n, charged: null }]);
    client.answer(/^UPDATE/, [{ '[applied]': false }]);
    const usage = new DailyUsageStore(client.asClient(), 'unit_mysimbdp');
    await expect(usage.charge('zoo', 'ingestion-1', 1, {}, now)).rejects.toEqual(
      new ConflictError('the daily quota is too busy to update; the upload will be retried'),
    );
  });
});
