import { jest } from '@jest/globals';
import { DeferredError } from '../../layers/platform/src/errors';
import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import type { ObjectCreated } from '../../layers/platform/src/ingest/files/ObjectIntake';
import { ChunkLeaseLostError } from '../../layers/platform/src/ingest/files/ChunkLeaseLostError';
import type { ChunkTask } from '../../layers/platform/src/ingest/files/ChunkTask';
import { objectKey } from '../../layers/platform/src/storage/objectKeys';
import type { Tenant } from '../../layers/platform/src/tenants/Tenant';
import { drainChunkTasks, fakeBatchIngestDependencies, ingestNow } from './fakes/fakeBatchIngestDependencies';
import type { FakeChunkStore } from './fakes/FakeChunkStore';
import { tenant } from './fakes/FakeTenantRegistry';
import type { BatchIngestApp } from '../../layers/platform/src/ingest/apps/BatchIngestApp';
import { readingsApp } from './fakes/fakeBatchIngestDependencies';

/** 40 readings, about 10 bytes a line: cut into chunks of 64 bytes, several chunks. */
function readings(bad: readonly number[] = []): string {
  const lines = Array.from({ length: 40 }, (_, index) => `r${String(index).padStart(2, '0')},${bad.includes(index) ? 'bad' : index}`);
  return `id,value\n${lines.join('\n')}\n`;
}

/** The ids of the 40 readings, in order. */
const everyReading = Array.from({ length: 40 }, (_, index) => `r${String(index).padStart(2, '0')}`);

/** The chunks a set of chunk tasks is for, in order (a chunk twice if two tasks are for it). */
function chunksOf(tasks: readonly ChunkTask[]): number[] {
  return tasks.map((task) => (task.kind === 'validate' || task.kind === 'write' ? task.chunk.index : -1)).sort((a, b) => a - b);
}

/**
 * The next `readers` reads of the chunks' checkpoints wait for one another, as
 * invocations reading at the same moment do: none reads until all are reading.
 */
function readTogether(chunks: FakeChunkStore, readers: number): void {
  const list = chunks.list.bind(chunks);
  let waiting = readers;
  let allReading: () => void = () => undefined;
  const together = new Promise<void>((resolve) => (allReading = resolve));
  chunks.list = async (version) => {
    if (waiting > 0) {
      waiting -= 1;
      if (waiting === 0) allReading();
      await together;
    }
    return list(version);
  };
}

async function setUp(body: string, tenants: readonly Tenant[] = [tenant('zoo')], dryRun = false, options: { app?: BatchIngestApp; chunkSize?: number } = {}) {
  const fakes = fakeBatchIngestDependencies(tenants, { chunkSize: options.chunkSize ?? 64, ...(options.app ? { app: options.app } : {}) });
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks(fakes.deps);
  const grant = await fakes.uploads.grant(tenants[0] as Tenant, { fileName: 'readings.csv', size: Buffer.byteLength(body), dryRun });
  const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
  const object = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
  const inserts = () => fakes.cassandra.matching(/^INSERT/).map((statement) => statement.params);
  /** The ids of the rows written, sorted: a row written twice is there twice. */
  const writtenIds = () =>
    inserts()
      .map(([id]) => String(id))
      .sort();
  /** Runs every task on the chunk queue, and the tasks they send, until none is left; returns what ran. */
  const drain = (): Promise<ChunkTask[]> => drainChunkTasks(fileTasks, fakes.tasks);
  const record = () => fakes.ingestions.stored(grant.ingestionId);
  /** The upload's notification, then its file task (see `ingestNow`). */
  const ingest = (object: ObjectCreated) => ingestNow(pipeline, fileTasks, fakes, object);
  return { ...fakes, pipeline, fileTasks, ingest, grant, object, inserts, writtenIds, drain, record };
}

describe('a file above the chunk size', () => {
  it('is cut into chunks, every chunk validated, the file accepted once, every chunk written once, and finished once', async () => {
    const { ingest, object, tasks, drain, record, inserts, ingestions, chunks, bucket, grant } = await setUp(readings());
    const started = await ingest(object);
    expect(started?.status).toBe('processing');
    // Nothing is written while the file is cut.
    expect(inserts()).toEqual([]);
    const cut = tasks.chunkTasksSent().length;
    expect(cut).toBeGreaterThan(2);
    expect(tasks.chunkTasksSent().every((task) => task.kind === 'validate')).toBe(true);
    expect(record()).toMatchObject({ phase: 'validating', chunksTotal: cut });

    const ran = await drain();
    expect(ran.filter((task) => task.kind === 'validate')).toHaveLength(cut);
    expect(ran.filter((task) => task.kind === 'write')).toHaveLength(cut);
    // Every validate task ran before the first write task was sent: the decision is taken on the whole file.
    expect(ran.findIndex((task) => task.kind === 'write')).toBe(cut);

    expect(record()).toMatchObject({ status: 'ingested', rows: 40, badRows: 0, tables: ['unit_tenant_zoo.readings'] });
    expect(inserts().map(([id]) => id)).toEqual(everyReading);
    expect(ingestions.transitions.filter(({ changes }) => changes.phase === 'writing')).toHaveLength(1);
    expect(ingestions.transitions.filter(({ changes }) => changes.status === 'ingested')).toHaveLength(1);
    expect([...chunks.writtenCount.values()]).toEqual(Array.from({ length: cut }, () => 1));
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'ingested', batchId: grant.batchId, fileName: 'readings.csv' })]);
  });

  it('does nothing again for a redelivered task that finds its checkpoint', async () => {
    const { fileTasks, ingest, object, tasks, drain, inserts, chunks, ingestions } = await setUp(readings());
    await ingest(object);
    await drain();
    const written = inserts().length;
    const [validate] = tasks.sent.filter((task) => task.kind === 'validate');
    const [write] = tasks.sent.filter((task) => task.kind === 'write');
    await fileTasks.run(validate as ChunkTask, { receiveCount: 2 });
    await fileTasks.run(write as ChunkTask, { receiveCount: 2 });
    expect(inserts()).toHaveLength(written);
    expect([...chunks.validatedCount.values()].every((count) => count === 1)).toBe(true);
    expect([...chunks.writtenCount.values()].every((count) => count === 1)).toBe(true);
    expect(ingestions.transitions.filter(({ changes }) => changes.status === 'ingested')).toHaveLength(1);
  });

  it('sends the write tasks again when a validate task is redelivered while the file is being written (the sender may have crashed)', async () => {
    const { fileTasks, ingest, object, tasks, record } = await setUp(readings());
    await ingest(object);
    const validates = tasks.take();
    for (const task of validates) await fileTasks.run(task, { receiveCount: 1 });
    const writes = tasks.take();
    expect(writes).toHaveLength(validates.length);
    expect(record()?.phase).toBe('writing');
    await fileTasks.run(validates[0] as ChunkTask, { receiveCount: 2 });
    expect(tasks.take()).toEqual(writes);
    // A first delivery of the same task sends nothing.
    await fileTasks.run(validates[0] as ChunkTask, { receiveCount: 1 });
    expect(tasks.take()).toEqual([]);
  });

  it('makes the tables and sends the write tasks once when two invocations validate the last chunks at the same moment: only the one whose move to writing applies does', async () => {
    const { fileTasks, ingest, object, tasks, chunks, cassandra, ingestions, drain, record, writtenIds } = await setUp(readings());
    await ingest(object);
    const validates = tasks.take();
    const lastTwo = validates.splice(-2);
    for (const task of validates) await fileTasks.run(task, { receiveCount: 1 });
    // Each reads the checkpoints once both chunks are validated: both see every chunk validated and the record validating.
    readTogether(chunks, 2);
    const tried = jest.spyOn(ingestions, 'transition');
    await Promise.all(lastTwo.map((task) => fileTasks.run(task, { receiveCount: 1 })));

    // Both tried to move the record to writing; one did.
    expect(tried.mock.calls.filter(([, , , changes]) => changes.phase === 'writing')).toHaveLength(2);
    expect(ingestions.transitions.filter(({ changes }) => changes.phase === 'writing')).toHaveLength(1);
    // The fake's schema metadata learns no table, so every invocation that sets out to make the table sends a CREATE TABLE (each write task too, later).
    expect(cassandra.matching(/^CREATE TABLE/).map(({ query }) => query)).toEqual([
      expect.stringMatching(/^CREATE TABLE IF NOT EXISTS unit_tenant_zoo\.readings /),
    ]);
    const writes = tasks.sent.filter((task) => task.kind === 'write');
    expect(chunksOf(writes)).toEqual(chunksOf([...validates, ...lastTwo]));

    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
    expect(writtenIds()).toEqual(everyReading);
  });

  it('makes the tables and sends the write tasks again for a redriven task of a file that failed because its tables could not be made', async () => {
    const { fileTasks, ingest, object, tasks, cassandra, clock, drain, record, writtenIds, chunks } = await setUp(readings());
    await ingest(object);
    const validates = tasks.take();
    const [last] = validates.splice(-1);
    if (last?.kind !== 'validate') throw new Error('expected a validate task');
    for (const task of validates) await fileTasks.run(task, { receiveCount: 1 });
    // The tenant's keyspace was dropped: the last chunk's task moves the record to writing, then cannot make the table, on every try.
    const dropped = new Error('Keyspace unit_tenant_zoo does not exist');
    cassandra.failWhen(({ query }) => (/^CREATE TABLE/.test(query) ? dropped : undefined));
    for (const receiveCount of [1, 2, 3]) {
      await expect(fileTasks.run(last, { receiveCount })).rejects.toBe(dropped);
      clock.advance(1000);
    }
    await fileTasks.deadLettered(last, dropped, 3);
    expect(record()).toMatchObject({ status: 'failed', phase: 'writing' });
    // The chunk is sound: the record names the decision on the file, and no chunk is marked failed.
    expect(record()?.reason).toMatch(/^deciding on the file once its chunks were validated failed 3 times: Keyspace unit_tenant_zoo does not exist; /);
    expect((await chunks.list(last.upload)).map((state) => state.status)).toEqual([...validates, last].map(() => 'validated'));
    expect(tasks.take()).toEqual([]);
    expect(writtenIds()).toEqual([]);

    // Redriven once the keyspace is back: a new message, on its first delivery, taken up again by one copy only.
    cassandra.failWhen(undefined);
    clock.advance(1000);
    await fileTasks.run(last, { receiveCount: 1 });
    expect(record()).toMatchObject({ status: 'processing', phase: 'writing', reason: undefined });
    await fileTasks.run(last, { receiveCount: 1 });
    // Three tries that failed to make the table, then the redriven task's (its copy found the record taken up).
    expect(cassandra.matching(/^CREATE TABLE/)).toHaveLength(4);
    expect(chunksOf(tasks.sent.filter((task) => task.kind === 'write'))).toEqual(chunksOf([...validates, last]));

    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
    expect(writtenIds()).toEqual(everyReading);
  });

  it('rejects the file as soon as its chunks have more bad rows than the tolerance, and writes no chunk', async () => {
    const { ingest, object, drain, record, inserts, tasks, bucket, grant } = await setUp(readings([1, 20, 38]));
    await ingest(object);
    await drain();
    expect(record()).toMatchObject({ status: 'rejected', rows: 0, badRows: 3 });
    expect(record()?.reason).toBe(
      'more than 2 bad rows (the tenant\'s maxBadRows); nothing was written. First: line 3: value: "bad" is not a number; line 22: value: "bad" is not a number; line 40: value: "bad" is not a number',
    );
    expect(tasks.sent.filter((task) => task.kind === 'write')).toEqual([]);
    expect(inserts()).toEqual([]);
    expect(bucket.keys()).toEqual([objectKey({ tenant: 'zoo', stage: 'rejected', batchId: grant.batchId, fileName: 'readings.csv' })]);
  });

  /**
   * Validates a file of 40 readings (one bad) in chunks, then writes it: with the rows its validate pass kept, with
   * none kept (a chunk validated before rows were kept), or with the kept rows gone before the writes (expired).
   * Returns what was written, and how many reads of the file past its start the writes made.
   */
  async function validateThenWrite(kept: 'kept' | 'none kept' | 'gone') {
    const run = await setUp(readings([5]));
    if (kept === 'none kept') {
      const validated = run.chunks.validated.bind(run.chunks);
      run.chunks.validated = (version, chunk, stats) => validated(version, chunk, { ...stats, keptRowParts: undefined });
    }
    await run.ingest(run.object);
    for (const task of run.tasks.take()) await run.fileTasks.run(task, { receiveCount: 1 });
    // A part of kept rows a chunk (the chunks are small), under the staging prefix.
    expect(run.bucket.keys().filter((key) => key.startsWith('staging/zoo/')).length).toBeGreaterThan(2);
    if (kept === 'gone') await run.bucket.deleteAllVersions('staging/zoo/');
    run.bucket.ranges.length = 0;
    const writes = await run.drain();
    expect(writes.length).toBeGreaterThan(2);
    expect(writes.every((task) => task.kind === 'write')).toBe(true);
    expect(run.record()).toMatchObject({ status: 'ingested', rows: 39, badRows: 1 });
    // Every task reads the file's first records for its app's plan (from byte 0); a chunk's rows are read from its own start.
    return { inserts: run.inserts(), fileReads: run.bucket.ranges.filter((range) => range.key === run.grant.key && range.start > 0).length };
  }

  it('writes the rows its validate pass kept, reading none of the file again; a chunk validated before rows were kept is read again, to the same rows', async () => {
    const kept = await validateThenWrite('kept');
    const readAgain = await validateThenWrite('none kept');
    expect(kept.fileReads).toBe(0);
    expect(readAgain.fileReads).toBeGreaterThan(2);
    expect(kept.inserts).toHaveLength(39);
    expect(kept.inserts).toEqual(readAgain.inserts);
  });

  it('reads a chunk again when its kept rows are gone (expired under a failed ingestion redriven late), to the same rows', async () => {
    const kept = await validateThenWrite('kept');
    const gone = await validateThenWrite('gone');
    expect(gone.fileReads).toBeGreaterThan(2);
    expect(gone.inserts).toEqual(kept.inserts);
  });

  it('counts a row whose value the driver cannot write as a bad row when it is validated, in a chunk or a file taken whole, as a dry run does', async () => {
    // An app that hands a reading's value over as it is when it is not a number: text for the table's int column.
    const careless: BatchIngestApp = {
      name: 'careless',
      plan: async (file, sample) => {
        const plan = await readingsApp.plan(file, sample);
        return {
          tables: plan.tables,
          toRows: (record) =>
            record.fields.value === 'bad' ? [{ table: 'readings', values: { id: String(record.fields.id), value: 'bad' } }] : plan.toRows(record),
        };
      },
    };
    // A chunk, a chunk validated as a dry run, a chunk validated before rows were kept (read again to be written), a file taken whole.
    for (const [chunkSize, dryRun, keepRows] of [
      [64, false, true],
      [64, true, true],
      [64, false, false],
      [1024 * 1024, false, true],
    ] as const) {
      const { ingest, object, drain, record, inserts, chunks } = await setUp(readings([5]), [tenant('zoo')], dryRun, { app: careless, chunkSize });
      if (!keepRows) {
        const validated = chunks.validated.bind(chunks);
        chunks.validated = (version, chunk, stats) => validated(version, chunk, { ...stats, keptRowParts: undefined });
      }
      await ingest(object);
      await drain();
      expect(record()).toMatchObject({ status: dryRun ? 'validated' : 'ingested', rows: 39, badRows: 1 });
      expect(record()?.badRowSamples).toEqual(['line 7: value: Expected string representation of a number, obtained NaN']);
      expect(inserts()).toHaveLength(dryRun ? 0 : 39);
    }
  });

  it('skips bad rows within the tolerance and says so when it finishes', async () => {
    const { ingest, object, drain, record, inserts } = await setUp(readings([5]));
    await ingest(object);
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 39, badRows: 1, reason: '1 bad row skipped (within the tolerance)' });
    expect(record()?.badRowSamples).toEqual(['line 7: value: "bad" is not a number']);
    expect(inserts()).toHaveLength(39);
  });

  it('finishes a dry run once every chunk is validated, writing nothing and keeping no rows', async () => {
    const { ingest, object, drain, record, inserts, tasks, bucket } = await setUp(readings(), [tenant('zoo')], true);
    const put = jest.spyOn(bucket, 'putBytes');
    await ingest(object);
    await drain();
    expect(put).not.toHaveBeenCalled();
    expect(record()).toMatchObject({ status: 'validated', rows: 40, reason: 'dry run: 40 rows would be written; nothing was written' });
    expect(tasks.sent.filter((task) => task.kind === 'write')).toEqual([]);
    expect(inserts()).toEqual([]);
  });

  it('says the bad rows a dry run would skip as a whole file says them', async () => {
    const { ingest, object, drain, record, inserts } = await setUp(readings([5]), [tenant('zoo')], true);
    await ingest(object);
    await drain();
    expect(record()).toMatchObject({
      status: 'validated',
      rows: 39,
      badRows: 1,
      reason: 'dry run: 39 rows would be written, 1 bad row skipped; nothing was written',
    });
    expect(inserts()).toEqual([]);
  });

  it('lets a write task wait, using no try, while another invocation holds the claim on its chunk', async () => {
    const { fileTasks, ingest, object, tasks, chunks, inserts, clock } = await setUp(readings());
    await ingest(object);
    for (const task of tasks.take()) await fileTasks.run(task, { receiveCount: 1 });
    const [write, ...others] = tasks.take();
    if (write?.kind !== 'write') throw new Error('expected a write task');
    const version = { tenant: 'zoo', ingestionId: write.upload.ingestionId, version: write.upload.version };
    await chunks.claimWrite(version, write.chunk.index, 'another invocation', 60_000);
    clock.advance(10_000);
    const thrown = await fileTasks.run(write, { receiveCount: 1 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(DeferredError);
    // The claim runs out 50 s after the clock's now: the task comes back a second after that.
    expect((thrown as DeferredError).retryAfterSeconds).toBe(51);
    expect((thrown as DeferredError).message).toMatch(/^chunk 1 \(bytes \d+-\d+\) is claimed by another invocation; trying again when its claim runs out$/);
    for (const task of others) await fileTasks.run(task, { receiveCount: 1 });
    expect(inserts().length).toBeLessThan(40);
  });

  it("holds a disabled tenant's chunks back without using their tries", async () => {
    const { fileTasks, ingest, object, tasks, registry, inserts } = await setUp(readings());
    await ingest(object);
    await registry.setStatus('zoo', 'disabled');
    const [validate] = tasks.take();
    await expect(fileTasks.run(validate as ChunkTask, { receiveCount: 1 })).rejects.toEqual(
      new DeferredError('tenant zoo is disabled; its tasks wait until it is enabled', 60),
    );
    expect(inserts()).toEqual([]);
  });

  it('records the file failed, naming the chunk, when a chunk task gives up; the redriven task finishes the file', async () => {
    const { fileTasks, ingest, object, tasks, record, drain, bucket, grant, clock } = await setUp(readings());
    await ingest(object);
    const [first, ...rest] = tasks.take();
    if (first?.kind !== 'validate') throw new Error('expected a validate task');
    for (const task of rest) await fileTasks.run(task, { receiveCount: 1 });
    await fileTasks.deadLettered(first, new Error('the app crashed'), 3);
    expect(record()?.status).toBe('failed');
    expect(record()?.reason).toBe(
      `validating chunk 1 of ${rest.length + 1} (bytes ${first.chunk.start}-${first.chunk.end - 1}) failed 3 times: the app crashed; the object stays in incoming/ and the task is in the chunk dead-letter queue: redrive it once the cause is fixed`,
    );
    expect(bucket.keys().filter((key) => !key.startsWith('staging/'))).toEqual([grant.key]);
    // The rows of the chunks validated stay kept for the redriven file's writes.
    expect(bucket.keys().filter((key) => key.startsWith('staging/zoo/'))).toHaveLength(rest.length);

    // Redriven once the cause is fixed: the file finishes.
    clock.advance(1000);
    await fileTasks.run(first, { receiveCount: 1 });
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
  });

  it('drops a task of an ingestion that is gone or was replaced', async () => {
    const { fileTasks, ingest, object, tasks, inserts, chunks } = await setUp(readings());
    await ingest(object);
    const [validate] = tasks.take();
    if (validate?.kind !== 'validate') throw new Error('expected a validate task');
    await fileTasks.run({ ...validate, upload: { ...validate.upload, version: 'another version' } }, { receiveCount: 1 });
    expect(chunks.validatedCount.size).toBe(0);
    expect(inserts()).toEqual([]);
  });
});

describe('a writer whose lease on its chunk is lost', () => {
  // Only the lease's renewal timer is faked, so that a test says when a renewal comes due; streams and promises run as ever.
  beforeEach(() =>
    jest.useFakeTimers({
      doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'],
    }),
  );
  afterEach(() => jest.useRealTimers());

  /** The lease the pipeline gives a writer: half the function's timeout (120 s in the fakes), at most a minute. */
  const leaseMs = 60_000;

  /** A file validated and accepted, and the first of its write tasks with its chunk run. */
  async function firstWrite() {
    const fakes = await setUp(readings());
    await fakes.ingest(fakes.object);
    for (const task of fakes.tasks.take()) await fakes.fileTasks.run(task, { receiveCount: 1 });
    const [write] = fakes.tasks.take();
    if (write?.kind !== 'write') throw new Error('expected a write task');
    const version = { tenant: 'zoo', ingestionId: write.upload.ingestionId, version: write.upload.version };
    /** Runs `renewalDue` once, as the writer sends its first row to Cassandra. */
    const onFirstInsert = (renewalDue: () => void) => {
      let due = true;
      fakes.cassandra.failWhen((statement) => {
        if (due && statement.query.startsWith('INSERT')) {
          due = false;
          renewalDue();
        }
        return undefined;
      });
    };
    const failure = () =>
      fakes.fileTasks.run(write, { receiveCount: 1 }).then(
        () => undefined,
        (error: unknown) => error,
      );
    return { ...fakes, write, version, onFirstInsert, failure };
  }

  it('stops when another invocation took the chunk over, checkpointing nothing and leaving the chunk to it, using no try', async () => {
    const { write, version, chunks, clock, record, onFirstInsert, failure } = await firstWrite();
    onFirstInsert(() => {
      // The writer stalled past its lease, another invocation claimed the chunk, then the writer's renewal came due.
      clock.advance(leaseMs + 1);
      void chunks.claimWrite(version, write.chunk.index, 'another invocation', leaseMs);
      jest.advanceTimersByTime(leaseMs / 3);
    });
    const thrown = await failure();
    expect(thrown).toBeInstanceOf(ChunkLeaseLostError);
    expect(thrown).toBeInstanceOf(DeferredError);
    expect((thrown as ChunkLeaseLostError).retryAfterSeconds).toBe(60);
    expect((thrown as Error).message).toMatch(/^chunk 1 \(bytes \d+-\d+\): the lease was taken over by another invocation; this writer stops/);
    expect(chunks.writtenCount.size).toBe(0);
    expect(await chunks.get(version, write.chunk.index)).toMatchObject({ status: 'writing', leaseOwner: 'another invocation' });
    expect(record()).toMatchObject({ status: 'processing', phase: 'writing' });
  });

  it('stops when its renewal fails, naming why, and gives the claim back so that the retry may write at once', async () => {
    const { write, version, chunks, onFirstInsert, failure } = await firstWrite();
    const timedOut = new Error('Cassandra did not answer the renewal');
    chunks.renew = () => Promise.reject(timedOut);
    onFirstInsert(() => jest.advanceTimersByTime(leaseMs / 3));
    const thrown = await failure();
    expect(thrown).toBeInstanceOf(ChunkLeaseLostError);
    expect((thrown as Error).message).toMatch(/: the lease could not be renewed; this writer stops/);
    expect((thrown as Error).cause).toBe(timedOut);
    expect(chunks.writtenCount.size).toBe(0);
    expect((await chunks.get(version, write.chunk.index))?.status).toBe('validated');
  });
});
