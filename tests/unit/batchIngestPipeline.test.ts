import cassandra from 'cassandra-driver';
import { DeferredError, ServiceUnavailableError } from '../../layers/platform/src/errors';
import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import type { ObjectCreated } from '../../layers/platform/src/ingest/files/ObjectIntake';
import type { ChunkTask } from '../../layers/platform/src/ingest/files/ChunkTask';
import { objectKey } from '../../layers/platform/src/storage/objectKeys';
import type { Tenant } from '../../layers/platform/src/tenants/Tenant';
import { handBack } from '../../functions/sqs/handBack';
import { fakeBatchIngestDependencies, ingestNow, READINGS } from './fakes/fakeBatchIngestDependencies';
import { FakeSqsClient } from './fakes/FakeSqsClient';
import { tenant, tenantProfile } from './fakes/FakeTenantRegistry';

const GOOD = 'id,value\na,1\nb,2\nc,3\n';

function setUp(tenants: readonly Tenant[] = [tenant('zoo')], options: Parameters<typeof fakeBatchIngestDependencies>[1] = {}) {
  const fakes = fakeBatchIngestDependencies(tenants, options);
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks(fakes.deps);
  /** A file granted an upload and landed in the bucket, as S3 notifies it. */
  const upload = async (body: string, fileName = 'readings.csv', request: { size?: number; batchId?: string; dryRun?: boolean } = {}) => {
    const grant = await fakes.uploads.grant((await fakes.registry.get('zoo')) as Tenant, {
      fileName,
      size: request.size ?? Buffer.byteLength(body),
      batchId: request.batchId,
      dryRun: request.dryRun,
    });
    const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
    const object: ObjectCreated = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
    return { grant, object, stored };
  };
  const inserts = () => fakes.cassandra.matching(/^INSERT INTO "?unit_tenant_zoo"?\."?readings"?/).map((statement) => statement.params);
  /** The upload's notification, then its file task (see `ingestNow`). */
  const ingest = (object: ObjectCreated) => ingestNow(pipeline, fileTasks, fakes, object);
  return { ...fakes, pipeline, fileTasks, ingest, upload, inserts };
}

describe('the batch pipeline, a file up to the chunk size', () => {
  it.each([
    ['in this invocation', undefined],
    ['in chunks', 16],
  ])("rejects at once, %s, a file whose plan would take one of the tenant's stream tables, making and writing nothing", async (_how, chunkSize) => {
    const streamApp = { name: 'readings-stream', tables: [READINGS], toRows: () => [] };
    const { ingest, upload, inserts, cassandra: client, bucket, tasks } = setUp([tenant('zoo')], { streamApp, chunkSize });
    const { grant, object } = await upload(GOOD);
    expect(await ingest(object)).toMatchObject({
      status: 'rejected',
      reason: "table readings is the tenant's stream table; rename the file",
      rows: 0,
    });
    expect(client.statements.filter((statement) => /^(CREATE|ALTER) TABLE/.test(statement.query))).toEqual([]);
    expect(inserts()).toEqual([]);
    expect(tasks.chunkTasksSent()).toEqual([]);
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'rejected', batchId: grant.batchId, fileName: 'readings.csv' })]);
  });

  it('writes every row, records the file ingested and moves it to ingested/', async () => {
    const { ingest, upload, ingestions, bucket, inserts, cassandra: client, finished } = setUp();
    const { grant, object } = await upload(GOOD);
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'ingested', rows: 3, badRows: 0, reason: undefined, tables: ['unit_tenant_zoo.readings'], attempts: 1 });
    expect(ingestions.stored(grant.ingestionId)?.status).toBe('ingested');
    expect(inserts()).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    // The table is created before the first row is written.
    const create = client.statements.findIndex((statement) => /^CREATE TABLE/.test(statement.query));
    const firstInsert = client.statements.findIndex((statement) => /^INSERT/.test(statement.query));
    expect(create).toBeGreaterThanOrEqual(0);
    expect(create).toBeLessThan(firstInsert);
    // Read once: the rows its validate pass made are the rows written.
    expect(bucket.ranges.filter((range) => range.key === grant.key)).toHaveLength(1);
    const ingestedKey = objectKey({ tenant: 'zoo', stage: 'ingested', batchId: grant.batchId, fileName: 'readings.csv' });
    expect(bucket.keys()).toEqual([ingestedKey]);
    expect(record?.finalKey).toBe(ingestedKey);
    expect(finished).toEqual([`${grant.ingestionId}:ingested`]);
  });

  it('skips bad rows within the tolerance, says how many, and writes the bad-rows file', async () => {
    const { ingest, upload, inserts, bucket } = setUp();
    const { object } = await upload('id,value\na,1\nb,oops\nc,3\n');
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'ingested', rows: 2, badRows: 1, reason: '1 bad row skipped (within the tolerance)' });
    expect(record?.badRowSamples).toEqual(['line 3: value: "oops" is not a number']);
    expect(inserts()).toEqual([
      ['a', 1],
      ['c', 3],
    ]);
    expect(record?.badRowsKey).toBeDefined();
    expect([...bucket.texts.keys()].some((key) => key.startsWith(record?.badRowsKey ?? '-'))).toBe(true);
  });

  it('rejects the whole file with more bad rows than the tolerance, writing no row', async () => {
    const { ingest, upload, inserts, bucket } = setUp();
    const { grant, object } = await upload('id,value\na,x\nb,y\nc,z\nd,4\n');
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'rejected', rows: 0, badRows: 3 });
    expect(record?.reason).toBe(
      'more than 2 bad rows (the tenant\'s maxBadRows); nothing was written. First: line 2: value: "x" is not a number; line 3: value: "y" is not a number; line 4: value: "z" is not a number',
    );
    expect(inserts()).toEqual([]);
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'rejected', batchId: grant.batchId, fileName: 'readings.csv' })]);
  });

  it('validates a dry run and writes nothing', async () => {
    const { ingest, upload, inserts, bucket } = setUp();
    const { grant, object } = await upload(GOOD, 'readings.csv', { dryRun: true });
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'validated', rows: 3, reason: 'dry run: 3 rows would be written; nothing was written' });
    expect(inserts()).toEqual([]);
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'validated', batchId: grant.batchId, fileName: 'readings.csv' })]);
  });

  it.each([
    ['a file that is not text', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0, 0x14, 0, 0, 0]), /^the file is not text/],
    ['a JSON file cut short', '[{"id":"a","value":1},{"id":', /^malformed JSON: Parser has expected a value \(a \.json file must hold one array of objects\)$/],
  ])('rejects %s at once with what is wrong, writing nothing', async (_what, body, reason) => {
    const { ingest, upload, inserts } = setUp();
    const fileName = typeof body === 'string' ? 'readings.json' : 'readings.csv';
    const grant = await upload(typeof body === 'string' ? body : body.toString('latin1'), fileName);
    const record = await ingest(grant.object);
    expect(record?.status).toBe('rejected');
    expect(record?.reason).toMatch(reason);
    expect(record?.attempts).toBe(1);
    expect(inserts()).toEqual([]);
  });

  it('rejects a file whose table exists with another primary key, naming both keys', async () => {
    const { ingest, upload, inserts, cassandra: client } = setUp();
    client.defineTable('unit_tenant_zoo', { ...READINGS, partitionKey: ['value'] });
    const { object } = await upload(GOOD);
    const record = await ingest(object);
    expect(record?.status).toBe('rejected');
    expect(record?.reason).toBe(
      'table unit_tenant_zoo.readings already exists with primary key (value); this file needs (id): rename the file or drop the table',
    );
    expect(inserts()).toEqual([]);
  });
});

describe('the batch pipeline checks the upload again, never trusting the client', () => {
  it('rejects an object uploaded without a grant', async () => {
    const { ingest, bucket } = setUp();
    const key = objectKey({ tenant: 'zoo', stage: 'incoming', batchId: '20261130T120000Z-abcdef', fileName: 'sneaky.csv' });
    const stored = bucket.upload(key, GOOD);
    const record = await ingest({ key, size: stored.size, versionId: stored.versionId });
    expect(record).toMatchObject({
      status: 'rejected',
      reason: 'the object was not uploaded through an upload grant: ask for one with POST /tenants/zoo/uploads',
    });
  });

  it("rejects an object that names another file's grant", async () => {
    const { ingest, upload, bucket } = setUp();
    const { grant } = await upload(GOOD, 'granted.csv');
    const key = objectKey({ tenant: 'zoo', stage: 'incoming', batchId: grant.batchId, fileName: 'other.csv' });
    const stored = bucket.upload(key, GOOD, grant.grantId);
    const record = await ingest({ key, size: stored.size, versionId: stored.versionId });
    expect(record).toMatchObject({
      status: 'rejected',
      reason: `the object names upload grant ${grant.grantId}, which tenant zoo was never given for other.csv in batch ${grant.batchId}`,
    });
  });

  it('rejects a body larger than its grant declared', async () => {
    const { ingest, upload } = setUp();
    const { object } = await upload(GOOD, 'readings.csv', { size: 10 });
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'rejected', reason: 'the file is 21 B; its upload grant was for 10 B' });
  });

  it.each([
    [{ batch: { allowedFormats: ['ndjson' as const] } }, 'format "csv" is not allowed; allowed: ndjson'],
    [{ batch: { maxFileSize: '10 B' } }, 'the file is 21 B; the limit is 10 B'],
    [{ status: 'disabled' as const }, 'tenant zoo is disabled'],
  ])('rejects a file the profile no longer allows when it lands (%j)', async (change, reason) => {
    const { ingest, upload, registry, inserts } = setUp();
    const { object } = await upload(GOOD);
    await registry.put('zoo', tenantProfile('zoo', change), tenant('zoo').credentials);
    const record = await ingest(object);
    expect(record).toMatchObject({ status: 'rejected', reason });
    expect(inserts()).toEqual([]);
  });

  it('rejects the file of a batch that holds more files than the profile now allows', async () => {
    const { ingest, upload, registry } = setUp();
    const first = await upload(GOOD, 'a.csv');
    await upload(GOOD, 'b.csv', { batchId: first.grant.batchId });
    await registry.put('zoo', tenantProfile('zoo', { batch: { maxFilesPerBatch: 1 } }), tenant('zoo').credentials);
    const record = await ingest(first.object);
    expect(record).toMatchObject({ status: 'rejected', reason: `batch ${first.grant.batchId} holds 2 files; the limit is 1` });
  });

  it("rejects a file that breaks today's quota, charged with what landed", async () => {
    const { ingest, upload, usage } = setUp([tenant('zoo', { batch: { dailyQuota: { maxBytes: '100 B' } } })]);
    const { object } = await upload(GOOD);
    usage.seed('zoo', 3, 90);
    const record = await ingest(object);
    expect(record).toMatchObject({
      status: 'rejected',
      reason: "today's quota (UTC) is used up: tenant zoo has used 90 B of 100 B, and this file is 21 B (dailyQuota.maxBytes)",
    });
    expect(await usage.usage('zoo')).toEqual({ files: 3, bytes: 90 });
  });

  it('rejects the file of a tenant that is not registered', async () => {
    const { ingest, upload, registry } = setUp();
    const { object } = await upload(GOOD);
    await registry.remove('zoo');
    expect(await ingest(object)).toMatchObject({ status: 'rejected', reason: 'tenant zoo is not registered on this platform' });
  });

  it('rejects a retried file whose tenant was disabled since its first attempt', async () => {
    const { ingest, upload, registry, cassandra: client } = setUp();
    const { object } = await upload(GOOD);
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new Error('timeout') : undefined));
    await expect(ingest(object)).rejects.toThrow('timeout');
    await registry.setStatus('zoo', 'disabled');
    expect(await ingest(object)).toMatchObject({ status: 'rejected', attempts: 2, reason: 'tenant zoo is disabled' });
  });

  it('checks the upload again on the delivery after an outage cut its first check short', async () => {
    const { ingest, bucket, registry, inserts } = setUp();
    const key = objectKey({ tenant: 'zoo', stage: 'incoming', batchId: '20261130T120000Z-abcdef', fileName: 'sneaky.csv' });
    const stored = bucket.upload(key, GOOD);
    const object = { key, size: stored.size, versionId: stored.versionId };
    const get = registry.get.bind(registry);
    registry.get = () => Promise.reject(new ServiceUnavailableError('Cassandra is down', { service: 'cassandra' }));
    await expect(ingest(object)).rejects.toBeInstanceOf(ServiceUnavailableError);
    registry.get = get;
    expect(await ingest(object)).toMatchObject({
      status: 'rejected',
      reason: 'the object was not uploaded through an upload grant: ask for one with POST /tenants/zoo/uploads',
    });
    expect(inserts()).toEqual([]);
  });

  it('ignores what is not an upload, and an object version already moved', async () => {
    const { ingest, upload, ingestions } = setUp();
    expect(await ingest({ key: 'tenants/zoo/ingested/20261130T120000Z-abcdef/a.csv', size: 1 })).toBeUndefined();
    expect(await ingest({ key: 'elsewhere/a.csv', size: 1 })).toBeUndefined();
    const { object } = await upload(GOOD);
    await ingest(object);
    expect(await ingest(object)).toBeUndefined();
    expect(ingestions.all()).toHaveLength(1);
  });
});

describe('the batch pipeline under a grant used already', () => {
  it('drops the same bytes sent again as a duplicate, ingesting them once', async () => {
    const { ingest, upload, bucket, inserts } = setUp();
    const { grant, object } = await upload(GOOD);
    await ingest(object);
    const again = bucket.upload(grant.key, GOOD, grant.grantId);
    const record = await ingest({ key: grant.key, size: again.size, versionId: again.versionId });
    expect(record?.status).toBe('ingested');
    expect(bucket.deleted).toEqual([{ key: grant.key, versionId: again.versionId }]);
    expect(inserts()).toHaveLength(3);
  });

  it('refuses other bytes under a used grant, notes it on the record and moves them to rejected/', async () => {
    const { ingest, upload, bucket, ingestions, inserts } = setUp();
    const { grant, object } = await upload(GOOD);
    await ingest(object);
    const other = bucket.upload(grant.key, 'id,value\nz,26\n', grant.grantId);
    await ingest({ key: grant.key, size: other.size, versionId: other.versionId });
    const refusedKey = objectKey({ tenant: 'zoo', stage: 'rejected', batchId: grant.batchId, fileName: `readings.csv.refused-${other.versionId}` });
    expect(bucket.moves.at(-1)).toEqual({ from: grant.key, versionId: other.versionId, to: refusedKey });
    const refused = ingestions.stored(grant.ingestionId)?.refused ?? {};
    expect(Object.keys(refused)).toEqual([other.versionId]);
    expect(refused[other.versionId]).toMatch(
      new RegExp(
        `^another upload of 14 B under grant ${grant.grantId} was refused at .*: an upload grant admits one upload \\(this one's is ingestion ${grant.ingestionId}\\); ask for a new grant with POST /tenants/zoo/uploads\\. The refused object is ${refusedKey.replace(/[.]/g, '\\.')}$`,
      ),
    );
    expect(inserts()).toHaveLength(3);
  });
});

describe('the batch pipeline when a service is down or an attempt fails', () => {
  const outage = () => new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED 127.0.0.1:9042') });

  it('hands a Cassandra outage back as ServiceUnavailableError, the record waiting, and SQS re-sends it without using a try', async () => {
    const { ingest, upload, cassandra: client, ingestions, bucket } = setUp();
    const { grant, object } = await upload(GOOD);
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? outage() : undefined));
    const thrown = await ingest(object).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(ServiceUnavailableError);
    expect((thrown as ServiceUnavailableError).service).toBe('cassandra');
    const waiting = ingestions.stored(grant.ingestionId);
    expect(waiting?.status).toBe('retrying');
    expect(waiting?.reason).toMatch(
      /^waiting for cassandra to serve again \(Cassandra write to unit_tenant_zoo\.readings failed: All host\(s\) tried for query failed\..*\); the ingestion goes on by itself$/s,
    );
    expect(bucket.keys()).toEqual([grant.key]);

    // The SQS adapter puts the notification back with a delay and reports it done: its tries stay as they were.
    const sqs = new FakeSqsClient();
    const record = FakeSqsClient.record('mysimbdp-unit-batch-ingest', JSON.stringify(object), 2);
    expect(await handBack(sqs.asClient(), [{ record, error: thrown }], { maxReceiveCount: 3, retryDelaySeconds: () => 10 })).toEqual([]);
    expect(
      sqs.sent.map(({ command, input }) => [
        command,
        input.DelaySeconds,
        (input.MessageAttributes as Record<string, { StringValue: string }>).priorReceives?.StringValue,
      ]),
    ).toEqual([['SendMessageCommand', 5, '1']]);

    // Cassandra is back: the redelivery ingests the file.
    client.failWhen(undefined);
    const done = await ingest(object);
    expect(done).toMatchObject({ status: 'ingested', rows: 3, attempts: 2 });
  });

  it('records a failed attempt for another error, and on the last try records the file failed with the reason', async () => {
    const { pipeline, ingest, upload, cassandra: client, ingestions, bucket, finished } = setUp();
    const { grant, object } = await upload(GOOD);
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new Error('the node is out of disk') : undefined));
    await expect(ingest(object)).rejects.toThrow('Cassandra write to unit_tenant_zoo.readings failed: the node is out of disk');
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({
      status: 'retrying',
      reason: 'attempt 1 failed, will retry: Cassandra write to unit_tenant_zoo.readings failed: the node is out of disk',
    });
    await expect(ingest(object)).rejects.toThrow(/out of disk/);
    await pipeline.notificationDeadLettered(object, new Error('Cassandra write to unit_tenant_zoo.readings failed: the node is out of disk'));
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({
      status: 'failed',
      reason:
        'gave up after 2 attempts: Cassandra write to unit_tenant_zoo.readings failed: the node is out of disk; the notification is in the dead-letter queue',
    });
    // The object stays where it was, for a redrive.
    expect(bucket.keys()).toEqual([grant.key]);
    expect(finished).toEqual([`${grant.ingestionId}:failed`]);
  });

  it('ingests a failed file again when its notification is redriven', async () => {
    const { pipeline, ingest, upload, cassandra: client, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new Error('timeout') : undefined));
    await expect(ingest(object)).rejects.toThrow('timeout');
    await pipeline.notificationDeadLettered(object, new Error('timeout'));
    expect(ingestions.stored(grant.ingestionId)?.status).toBe('failed');
    client.failWhen(undefined);
    expect(await ingest(object)).toMatchObject({ status: 'ingested', rows: 3, attempts: 2, reason: undefined });
  });

  it('finishes an interrupted move on the next delivery without writing again', async () => {
    const { ingest, upload, bucket, inserts, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    bucket.fail('move', new Error('socket hang up'));
    await expect(ingest(object)).rejects.toThrow('socket hang up');
    expect(ingestions.stored(grant.ingestionId)?.status).toBe('ingested');
    expect(bucket.keys()).toEqual([grant.key]);
    expect(inserts()).toHaveLength(3);

    bucket.heal();
    const record = await ingest(object);
    expect(record?.status).toBe('ingested');
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'ingested', batchId: grant.batchId, fileName: 'readings.csv' })]);
    expect(inserts()).toHaveLength(3);
  });
});

describe("the notification and the file's task", () => {
  it("hands the upload to its tenant's chunk queue untouched, and its task takes it in and ingests it", async () => {
    const { pipeline, fileTasks, upload, tasks, inserts, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    await pipeline.dispatch([object]);
    const [task, ...more] = tasks.take();
    expect(more).toEqual([]);
    expect(task).toEqual({ kind: 'file', tenant: 'zoo', object });
    // Nothing is read or written for the upload until its tenant's turn.
    expect([inserts(), ingestions.stored(grant.ingestionId)]).toEqual([[], undefined]);
    await fileTasks.run(task as ChunkTask, { receiveCount: 1 });
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'ingested', rows: 3, attempts: 1 });
    // Delivered again, the task finds the file done and does nothing.
    await fileTasks.run(task as ChunkTask, { receiveCount: 2 });
    expect(inserts()).toHaveLength(3);
  });

  it("takes in here, and refuses, the upload of a tenant that is not served, and ignores an object that is no tenant's upload", async () => {
    const { pipeline, upload, tasks, ingestions, registry } = setUp();
    const { grant, object } = await upload(GOOD);
    await registry.setStatus('zoo', 'disabled');
    await pipeline.dispatch([object, { key: 'tenants/zoo/ingested/x/readings.csv', size: 3 }]);
    expect(tasks.take()).toEqual([]);
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'rejected', reason: 'tenant zoo is disabled' });
  });

  it('runs a redelivered file task after a failed attempt as the next attempt', async () => {
    const { pipeline, fileTasks, upload, tasks, cassandra: client, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    await pipeline.dispatch([object]);
    const [task] = tasks.take();
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new Error('timeout') : undefined));
    await expect(fileTasks.run(task as ChunkTask, { receiveCount: 1 })).rejects.toThrow('timeout');
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'retrying', attempts: 1 });
    client.failWhen(undefined);
    await fileTasks.run(task as ChunkTask, { receiveCount: 2 });
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'ingested', rows: 3, attempts: 2, reason: undefined });
  });

  it('records the file failed when its task is dead-lettered, and ingests it when the task is redriven', async () => {
    const { pipeline, fileTasks, upload, tasks, cassandra: client, ingestions, bucket } = setUp();
    const { grant, object } = await upload(GOOD);
    await pipeline.dispatch([object]);
    const [task] = tasks.take();
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new Error('the node is out of disk') : undefined));
    await expect(fileTasks.run(task as ChunkTask, { receiveCount: 1 })).rejects.toThrow(/out of disk/);
    await fileTasks.deadLettered(task as ChunkTask, new Error('the node is out of disk'), 3);
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({
      status: 'failed',
      reason: "gave up after 1 attempts: the node is out of disk; the file's task is in its tenant's chunk dead-letter queue",
    });
    expect(bucket.keys()).toEqual([grant.key]);
    client.failWhen(undefined);
    await fileTasks.run(task as ChunkTask, { receiveCount: 1 });
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'ingested', rows: 3, attempts: 2 });
  });

  it("lets a disabled tenant's file task wait, using no try", async () => {
    const { pipeline, fileTasks, upload, tasks, registry, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    await pipeline.dispatch([object]);
    const [task] = tasks.take();
    await registry.setStatus('zoo', 'disabled');
    await expect(fileTasks.run(task as ChunkTask, { receiveCount: 1 })).rejects.toBeInstanceOf(DeferredError);
    await registry.setStatus('zoo', 'active');
    await fileTasks.run(task as ChunkTask, { receiveCount: 2 });
    expect(ingestions.stored(grant.ingestionId)).toMatchObject({ status: 'ingested', attempts: 1 });
  });

  it('hands the notification back, nothing recorded, when the chunk queue does not take the task', async () => {
    const { pipeline, upload, tasks, ingestions } = setUp();
    const { grant, object } = await upload(GOOD);
    tasks.send = () => Promise.reject(new ServiceUnavailableError('SQS refused 1 chunk tasks', { service: 'sqs' }));
    await expect(pipeline.dispatch([object])).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(ingestions.stored(grant.ingestionId)).toBeUndefined();
  });
});
