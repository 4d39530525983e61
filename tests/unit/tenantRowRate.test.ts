import { DeferredError } from '../../layers/platform/src/errors';
import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import type { ObjectCreated } from '../../layers/platform/src/ingest/files/ObjectIntake';
import { TenantRateLimiter } from '../../layers/platform/src/rates/TenantRateLimiter';
import { fakeBatchIngestDependencies, ingestNow } from './fakes/fakeBatchIngestDependencies';
import { FakeTenantRateStore } from './fakes/FakeTenantRateStore';
import { tenant } from './fakes/FakeTenantRegistry';
import { asReal } from './fakes/Public';

function readings(count: number): string {
  const lines = Array.from({ length: count }, (_, index) => `r${String(index).padStart(3, '0')},${index}`);
  return `id,value\n${lines.join('\n')}\n`;
}

/** A tenant limited to 1 row a second, with batch functions of 120 s: an invocation writes for 60 s at most. */
async function setUp(body: string, chunkSize: number) {
  const fakes = fakeBatchIngestDependencies([tenant('zoo', { limits: { rowsPerSecond: 1 } })], { chunkSize });
  const store = new FakeTenantRateStore();
  const rates = new TenantRateLimiter(asReal(store), fakes.clock, {
    sleep: (ms) => {
      fakes.clock.advance(ms);
      return Promise.resolve();
    },
  });
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks({ ...fakes.deps, rates });
  const zoo = tenant('zoo', { limits: { rowsPerSecond: 1 } });
  const grant = await fakes.uploads.grant(zoo, { fileName: 'readings.csv', size: Buffer.byteLength(body) });
  const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
  const object = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
  const ids = () => fakes.cassandra.matching(/^INSERT/).map((statement) => statement.params[0]);
  const deferred: DeferredError[] = [];
  /** Runs the chunk queue until it is empty; a task handed back to wait (DeferredError) runs again, as SQS sends it again. */
  const drain = async (): Promise<void> => {
    for (let tasks = fakes.tasks.take(); tasks.length > 0; tasks = fakes.tasks.take()) {
      for (const task of tasks) {
        for (let tries = 0; ; tries += 1) {
          if (tries > 20) throw new Error(`task ${task.kind} handed back ${tries} times`);
          try {
            await fileTasks.run(task, { receiveCount: 1 });
            break;
          } catch (error) {
            if (!(error instanceof DeferredError)) throw error;
            deferred.push(error);
          }
        }
      }
    }
  };
  const record = () => fakes.ingestions.stored(grant.ingestionId);
  /** The upload's notification, then its file task (see `ingestNow`). */
  const ingest = (object: ObjectCreated) => ingestNow(pipeline, fileTasks, fakes, object);
  return { ...fakes, pipeline, fileTasks, ingest, object, ids, drain, record, deferred, store, grant };
}

describe('a tenant with limits.rowsPerSecond', () => {
  it('has a chunk too slow for one invocation written in parts: each stops, saves where it is, and the next writes from there', async () => {
    const { ingest, object, drain, record, ids, deferred, chunks, clock, grant } = await setUp(readings(200), 1024);
    const t0 = clock.now();
    await ingest(object);
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 200 });
    // Every row written once: a part never writes again what the one before it saved as written.
    expect([...ids()].sort()).toEqual(Array.from({ length: 200 }, (_, index) => `r${String(index).padStart(3, '0')}`));
    expect(deferred.length).toBeGreaterThan(0);
    expect(deferred[0]?.message).toMatch(/is written up to row \d+; the rest waits for tenant zoo's share of limits.rowsPerSecond \(1\)/);
    // 200 rows at 1 a second, the first second's worth at once.
    expect(clock.now() - t0).toBeGreaterThanOrEqual(199_000);
    const states = await chunks.list({ tenant: 'zoo', ingestionId: grant.ingestionId, version: record()?.version ?? '' });
    expect(states.every((state) => state.status === 'written')).toBe(true);
    expect(states.reduce((sum, state) => sum + state.rateWaitMs, 0)).toBeGreaterThan(150_000);
  });

  it('writes a file whole when its rows fit the invocation at the limit, waiting for its share', async () => {
    const { ingest, object, record, ids, tasks, clock } = await setUp(readings(30), 1024 * 1024);
    const t0 = clock.now();
    await ingest(object);
    expect(record()).toMatchObject({ status: 'ingested', rows: 30 });
    expect(ids()).toHaveLength(30);
    expect(tasks.chunkTasksSent()).toEqual([]);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(29_000);
  });

  it('sends a file whose rows cannot be written at the limit in one invocation to go in chunks, which can stop and resume', async () => {
    const { ingest, object, record, ids, tasks, drain } = await setUp(readings(100), 1024 * 1024);
    await ingest(object);
    expect(ids()).toEqual([]);
    expect(tasks.chunkTasksSent().map((task) => task.kind)).toEqual(['validate']);
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 100 });
    expect(new Set(ids()).size).toBe(100);
  });
});
