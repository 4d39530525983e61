import type { TableSpec } from '../../../layers/platform/src/cassandra/TableSpec';
import type { BatchIngestApp } from '../../../layers/platform/src/ingest/apps/BatchIngestApp';
import { genericStreamIngestApp } from '../../../layers/platform/src/ingest/apps/genericStreamIngestApp';
import type { StreamIngestApp } from '../../../layers/platform/src/ingest/apps/StreamIngestApp';
import type { BatchIngestDependencies } from '../../../layers/platform/src/ingest/files/BatchIngestDependencies';
import type { BatchIngestPipeline } from '../../../layers/platform/src/ingest/files/BatchIngestPipeline';
import type { ChunkTask } from '../../../layers/platform/src/ingest/files/ChunkTask';
import type { FileTasks } from '../../../layers/platform/src/ingest/files/FileTasks';
import type { ObjectCreated } from '../../../layers/platform/src/ingest/files/ObjectIntake';
import { ingestionIdOf, type IngestionRecord } from '../../../layers/platform/src/ingest/files/IngestionStore';
import { parseObjectKey } from '../../../layers/platform/src/storage/objectKeys';
import { StreamTables } from '../../../layers/platform/src/ingest/files/StreamTables';
import { RecordError } from '../../../layers/platform/src/ingest/records/RecordError';
import type { Tenant } from '../../../layers/platform/src/tenants/Tenant';
import { Topology } from '../../../layers/platform/src/topology/Topology';
import { UploadService } from '../../../layers/platform/src/uploads/UploadService';
import { FakeCassandraClient } from './FakeCassandraClient';
import { FakeChunkStore } from './FakeChunkStore';
import { FakeChunkTaskQueue } from './FakeChunkTaskQueue';
import { FakeClock } from './FakeClock';
import { FakeDailyUsageStore } from './FakeDailyUsageStore';
import { FakeIngestBucket } from './FakeIngestBucket';
import { FakeIngestionStore } from './FakeIngestionStore';
import { FakePlanRangeStore } from './FakePlanRangeStore';
import { FakeTenantRegistry } from './FakeTenantRegistry';
import { FakeUploadBatchStore } from './FakeUploadBatchStore';
import { FakeUploadGrantStore } from './FakeUploadGrantStore';
import { asReal } from './Public';

/** The table the readings app writes: one row per reading, keyed by its id. */
export const READINGS: TableSpec = { name: 'readings', columns: { id: 'text', value: 'double' }, partitionKey: ['id'] };

/** A tenant's batch ingest app for the tests: `id,value` records, a value that is not a number is a bad row. */
export const readingsApp: BatchIngestApp = {
  name: 'readings',
  plan: () => ({
    tables: [READINGS],
    toRows: (record) => {
      const value = Number(record.fields.value);
      if (record.fields.value === '' || record.fields.value === undefined || Number.isNaN(value)) {
        throw new RecordError(`value: "${String(record.fields.value)}" is not a number`);
      }
      return [{ table: 'readings', values: { id: String(record.fields.id), value } }];
    },
  }),
};

/** The stage the fakes' topology names things for. */
export const topology = new Topology({
  stage: 'unit',
  ingestBucket: 'fake-ingest-bucket',
  cassandra: { keyspacePrefix: 'unit_' } as never,
  amqp: { vhost: 'unit' } as never,
  batch: { timeoutSeconds: 120 } as never,
  dashboardOrigins: [],
});

/**
 * Everything batch ingestion takes (its intake and its tasks), as fakes a test can look into:
 * the bucket, the stores, the chunk queue, the Cassandra client its writers
 * use, and the upload service that grants the uploads (real, on the same
 * fakes), with the tenants given. Every tenant has the batch app given (the
 * readings app by default) and the stream app given (the generic one).
 */
export function fakeBatchIngestDependencies(
  tenants: readonly Tenant[],
  options: { chunkSize?: number; planRangeChunks?: number; app?: BatchIngestApp; streamApp?: StreamIngestApp } = {},
) {
  const clock = new FakeClock();
  const bucket = new FakeIngestBucket(clock);
  const registry = new FakeTenantRegistry(tenants);
  const batches = new FakeUploadBatchStore();
  const grants = new FakeUploadGrantStore();
  const usage = new FakeDailyUsageStore();
  const ingestions = new FakeIngestionStore(clock);
  const chunks = new FakeChunkStore(clock);
  const planRanges = new FakePlanRangeStore();
  const tasks = new FakeChunkTaskQueue();
  const cassandra = new FakeCassandraClient();
  const finished: string[] = [];
  const loadApp = () => Promise.resolve(options.app ?? readingsApp);
  const streamTables = new StreamTables(() => Promise.resolve(options.streamApp ?? genericStreamIngestApp), loadApp);
  const deps: BatchIngestDependencies = {
    bucket: asReal(bucket),
    registry,
    batches: asReal(batches),
    grants: asReal(grants),
    usage: asReal(usage),
    ingestions: asReal(ingestions),
    chunks: asReal(chunks),
    planRanges: asReal(planRanges),
    tasks: asReal(tasks),
    cassandra: cassandra.asClient(),
    topology,
    loadApp,
    streamTables,
    writeConcurrency: 4,
    chunkSize: options.chunkSize ?? 1024 * 1024,
    // Files of two ranges or more are planned in ranges: none of the tests' files unless a test says so.
    planRangeChunks: options.planRangeChunks ?? 1024,
    timeoutSeconds: 120,
    clock,
    onFinished: (record) => {
      finished.push(`${record.ingestionId}:${record.status}`);
      return Promise.resolve();
    },
  };
  const uploads = new UploadService(asReal(bucket), asReal(batches), asReal(grants), asReal(usage), streamTables, 900, clock);
  return { deps, clock, bucket, registry, batches, grants, usage, ingestions, chunks, planRanges, tasks, cassandra, uploads, finished };
}

/**
 * An upload's notification, then its `file` task, as the batch-ingest and the
 * batch-chunk function would run them one after the other: the upload's
 * record as it stands after (the one the intake keeps for this object, by its
 * grant). A file task that fails throws, as its invocation would; the chunks'
 * tasks stay on the queue.
 */
export async function ingestNow(
  pipeline: BatchIngestPipeline,
  fileTasks: FileTasks,
  fakes: {
    readonly tasks: FakeChunkTaskQueue;
    readonly ingestions: FakeIngestionStore;
    readonly bucket: FakeIngestBucket;
    readonly grants: FakeUploadGrantStore;
  },
  object: ObjectCreated,
): Promise<IngestionRecord | undefined> {
  const key = parseObjectKey(object.key);
  const stored = key && (await fakes.bucket.head(object.key, object.versionId));
  const grant = key && stored?.grantId ? await fakes.grants.get(key.tenant, key.batchId, stored.grantId) : undefined;
  await pipeline.dispatch([object]);
  for (const task of fakes.tasks.takeFiles()) await fileTasks.run(task, { receiveCount: 1 });
  return key && stored ? fakes.ingestions.stored(ingestionIdOf(key.batchId, key.fileName, grant?.grantId)) : undefined;
}

/** Runs every task on the chunk queue, and the tasks they send, until none is left, as the chunk function would; returns what ran. */
export async function drainChunkTasks(fileTasks: FileTasks, tasks: FakeChunkTaskQueue): Promise<ChunkTask[]> {
  const ran: ChunkTask[] = [];
  for (let taken = tasks.take(); taken.length > 0; taken = tasks.take()) {
    for (const task of taken) {
      await fileTasks.run(task, { receiveCount: 1 });
      ran.push(task);
    }
  }
  return ran;
}
