import { S3Client } from '@aws-sdk/client-s3';
import { ConstraintViolationError, InvalidInputError, NotFoundError } from '../../layers/platform/src/errors';
import type { BatchIngestApp } from '../../layers/platform/src/ingest/apps/BatchIngestApp';
import { genericBatchIngestApp } from '../../layers/platform/src/ingest/apps/genericBatchIngestApp';
import { genericStreamIngestApp } from '../../layers/platform/src/ingest/apps/genericStreamIngestApp';
import { StreamTables } from '../../layers/platform/src/ingest/files/StreamTables';
import { ingestionIdOf } from '../../layers/platform/src/ingest/files/IngestionStore';
import { IngestBucket } from '../../layers/platform/src/storage/IngestBucket';
import { UploadService } from '../../layers/platform/src/uploads/UploadService';
import { FakeClock } from './fakes/FakeClock';
import { FakeDailyUsageStore } from './fakes/FakeDailyUsageStore';
import { FakeIngestBucket } from './fakes/FakeIngestBucket';
import { tenant } from './fakes/FakeTenantRegistry';
import { FakeUploadBatchStore } from './fakes/FakeUploadBatchStore';
import { FakeUploadGrantStore } from './fakes/FakeUploadGrantStore';
import { asReal } from './fakes/Public';

const zoo = tenant('zoo', {
  batch: { maxFileSize: '1 KiB', maxFilesPerBatch: 2, allowedFormats: ['csv', 'ndjson'], dailyQuota: { maxFiles: 3, maxBytes: '2 KiB' } },
});

/** The upload service, for tenants served by the generic stream app and by `batchApp` (the generic one by default). */
function setUp(batchApp: BatchIngestApp = genericBatchIngestApp) {
  const clock = new FakeClock();
  const bucket = new FakeIngestBucket(clock);
  const batches = new FakeUploadBatchStore();
  const grants = new FakeUploadGrantStore();
  const usage = new FakeDailyUsageStore();
  const streamTables = new StreamTables(
    () => Promise.resolve(genericStreamIngestApp),
    () => Promise.resolve(batchApp),
  );
  const uploads = new UploadService(asReal(bucket), asReal(batches), asReal(grants), asReal(usage), streamTables, 900, clock);
  return { clock, bucket, batches, grants, usage, uploads };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('an upload grant', () => {
  it("refuses a file that would take the tenant's stream table, before anything is reserved or presigned", async () => {
    const { uploads, bucket, grants } = setUp();
    for (const fileName of ['stream_messages.csv', 'stream_messages.ndjson', 'Stream-Messages.csv']) {
      expect(await refusal(uploads.grant(zoo, { fileName, size: 10 }))).toEqual(
        new InvalidInputError(`${fileName}: table stream_messages is the tenant's stream table; rename the file`, { table: 'stream_messages' }),
      );
    }
    expect([bucket.presigned, grants.all()]).toEqual([[], []]);
    expect(await uploads.grant(zoo, { fileName: 'stream_messages_2024.csv', size: 10 })).toMatchObject({ fileName: 'stream_messages_2024.csv' });
  });

  it("leaves a tenant's own batch app's tables to be checked when the file is planned", async () => {
    const ownApp: BatchIngestApp = { name: 'own', plan: () => ({ tables: [], toRows: () => [] }) };
    const { uploads } = setUp(ownApp);
    expect(await uploads.grant(zoo, { fileName: 'stream_messages.csv', size: 10 })).toMatchObject({ fileName: 'stream_messages.csv' });
  });

  it("allows one object under the batch's key in incoming/, of at most the declared size, for 15 minutes, and is recorded", async () => {
    const { uploads, bucket, grants, clock } = setUp();
    const grant = await uploads.grant(zoo, { fileName: 'readings.csv', size: 100 });
    expect(grant.key).toBe(`tenants/zoo/incoming/${grant.batchId}/readings.csv`);
    expect(grant).toMatchObject({ tenant: 'zoo', fileName: 'readings.csv', format: 'csv', maxBytes: 100, dryRun: false });
    expect(grant.ingestionId).toBe(ingestionIdOf(grant.batchId, 'readings.csv', grant.grantId));
    expect(bucket.presigned).toEqual([{ key: grant.key, maxBytes: 100, expiresInSeconds: 900, grantId: grant.grantId }]);
    const [stored] = grants.all();
    expect(stored).toMatchObject({
      tenant: 'zoo',
      batchId: grant.batchId,
      grantId: grant.grantId,
      fileName: 'readings.csv',
      declaredBytes: 100,
      dryRun: false,
    });
    expect(stored?.expiresAt).toEqual(grant.upload.expiresAt);
    expect(stored?.grantedAt).toEqual(clock.date());
    expect(grant.upload.expiresAt.getTime() - clock.now()).toBe(900_000);
  });

  it('gives every file its own grant id, in the same batch when asked', async () => {
    const { uploads } = setUp();
    const first = await uploads.grant(zoo, { fileName: 'a.csv', size: 1, dryRun: true });
    const second = await uploads.grant(zoo, { fileName: 'b.ndjson', size: 1, batchId: first.batchId });
    expect(second.batchId).toBe(first.batchId);
    expect(second.grantId).not.toBe(first.grantId);
    expect(first.dryRun).toBe(true);
  });

  it.each([
    [
      { fileName: 'a.json', size: 1 },
      new ConstraintViolationError('allowedFormats', 'a.json: format "json" is not allowed for tenant zoo; allowed: csv, ndjson'),
    ],
    [{ fileName: 'a', size: 1 }, new ConstraintViolationError('allowedFormats', 'a: format "none" is not allowed for tenant zoo; allowed: csv, ndjson')],
    [{ fileName: 'a.csv', size: 1025 }, new ConstraintViolationError('maxFileSize', 'a.csv is 1.0 KiB; tenant zoo accepts files up to 1 KiB')],
    [{ fileName: 'a.csv', size: -1 }, new InvalidInputError('size must be the file size in bytes (a non-negative integer)')],
    [{ fileName: 'a.csv', size: '10' }, new InvalidInputError('size must be the file size in bytes (a non-negative integer)')],
    [{ fileName: 'a.csv', size: 1, dryRun: 'yes' }, new InvalidInputError('dryRun must be true or false')],
    [{ fileName: '../a.csv', size: 1 }, new InvalidInputError('file name "../a.csv" must be a plain name: no "/", "\\" or ".."')],
    [
      { fileName: 'a.csv', size: 1, batchId: '20261130T120000Z-abcdef' },
      new NotFoundError('tenant zoo has no batch 20261130T120000Z-abcdef; omit batchId to start a new batch'),
    ],
  ])('is refused for %j', async (request, error) => {
    const { uploads, bucket } = setUp();
    const thrown = await refusal(uploads.grant(zoo, request));
    expect(thrown).toEqual(error);
    expect(thrown).toBeInstanceOf(error.constructor);
    expect(bucket.presigned).toEqual([]);
  });

  it('is refused past the files a batch may hold, naming the limit', async () => {
    const { uploads } = setUp();
    const first = await uploads.grant(zoo, { fileName: 'a.csv', size: 1 });
    await uploads.grant(zoo, { fileName: 'b.csv', size: 1, batchId: first.batchId });
    // The same file again takes no new place.
    await uploads.grant(zoo, { fileName: 'b.csv', size: 2, batchId: first.batchId });
    const thrown = await refusal(uploads.grant(zoo, { fileName: 'c.csv', size: 1, batchId: first.batchId }));
    expect(thrown).toEqual(
      new ConstraintViolationError('maxFilesPerBatch', `c.csv: batch ${first.batchId} already holds 2 files, the most tenant zoo may send in one batch`),
    );
    expect((thrown as ConstraintViolationError).details).toEqual({ constraint: 'maxFilesPerBatch', limit: 2 });
  });

  it.each([
    [3, 0, 1, 'dailyQuota.maxFiles', "a.csv: tenant zoo has used 3 of 3 files of today's quota (UTC)"],
    [1, 2000, 100, 'dailyQuota.maxBytes', "a.csv: tenant zoo has used 2.0 KiB of 2 KiB of today's quota (UTC)"],
  ])('is refused when the file would break the daily quota (%i files, %i bytes used)', async (files, bytes, size, constraint, message) => {
    const { uploads, usage } = setUp();
    usage.seed('zoo', files, bytes);
    const thrown = await refusal(uploads.grant(zoo, { fileName: 'a.csv', size }));
    expect(thrown).toBeInstanceOf(ConstraintViolationError);
    expect((thrown as ConstraintViolationError).constraint).toBe(constraint);
    expect((thrown as ConstraintViolationError).message).toBe(message);
  });
});

describe('the presigned POST of a grant', () => {
  it('pins the key and the grant id, and makes S3 refuse a body over the declared size, until it expires', async () => {
    // Signed locally: nothing is sent anywhere.
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      credentials: { accessKeyId: 'unit', secretAccessKey: 'unit-secret' },
    });
    const bucket = new IngestBucket(s3, 'unit-ingest');
    const key = 'tenants/zoo/incoming/20261130T120000Z-abcdef/readings.csv';
    const before = Date.now();
    const upload = await bucket.presignUpload(key, 1234, 900, 'grant-1');
    expect(upload.url).toBe('http://127.0.0.1:9/unit-ingest');
    expect(upload.fields).toMatchObject({ key, 'x-amz-meta-grant-id': 'grant-1' });
    const policy = JSON.parse(Buffer.from(upload.fields.Policy ?? '', 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toEqual(
      expect.arrayContaining([['content-length-range', 0, 1234], ['eq', '$key', key], ['eq', '$x-amz-meta-grant-id', 'grant-1'], { bucket: 'unit-ingest' }]),
    );
    const expires = Date.parse(policy.expiration);
    expect(expires).toBeGreaterThanOrEqual(before + 899_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 901_000);
    expect(Math.abs(upload.expiresAt.getTime() - expires)).toBeLessThan(2000);
  });
});
