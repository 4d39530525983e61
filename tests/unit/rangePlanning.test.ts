import { ChunkBoundaries, type ChunkSpan } from '../../layers/platform/src/ingest/files/ChunkBoundaries';
import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import { decodeChunkTask, encodeChunkTask, type ChunkTask } from '../../layers/platform/src/ingest/files/ChunkTask';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import { objectKey } from '../../layers/platform/src/storage/objectKeys';
import type { TextFormat } from '../../layers/platform/src/tenants/FileFormat';
import { gzip } from '../helpers/compressors';
import { drainChunkTasks, fakeBatchIngestDependencies, ingestNow } from './fakes/fakeBatchIngestDependencies';
import { tenant } from './fakes/FakeTenantRegistry';

/** Readings whose ids hold quoted line breaks, CRLFs, doubled quotes, commas and two-byte characters, so that range and grid points land inside them. */
function quotedReadings(count: number): { text: string; ids: string[] } {
  const ids = Array.from({ length: count }, (_, index) => `r${index} é\n"x",\r\n${'é'.repeat(index % 4)}`);
  const lines = ids.map((id, index) => `"${id.replace(/"/g, '""')}",${index}`);
  return { text: `id,value\n${lines.join('\n')}\n`, ids };
}

function ndjsonReadings(count: number): { text: string; ids: string[] } {
  const ids = Array.from({ length: count }, (_, index) => `r${index} "é"\n`);
  return { text: ids.map((id, index) => `${JSON.stringify({ id, value: index })}\n`).join(''), ids };
}

const ZOO = tenant('zoo', {
  batch: { allowedFormats: ['csv', 'ndjson', 'json', 'csv.gz'], maxUncompressedSize: '64 KiB', maxBadRows: 0 },
});

/** Chunks of 64 bytes, ranges of 2 chunks: a file of 256 bytes or more is planned in ranges. */
const CHUNK = 64;
const RANGE_CHUNKS = 2;

async function setUp(fileName: string, body: Buffer) {
  const fakes = fakeBatchIngestDependencies([ZOO], { chunkSize: CHUNK, planRangeChunks: RANGE_CHUNKS });
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks(fakes.deps);
  const grant = await fakes.uploads.grant(ZOO, { fileName, size: body.length });
  const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
  const object = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
  const ingest = () => ingestNow(pipeline, fileTasks, fakes, object);
  const drain = () => drainChunkTasks(fileTasks, fakes.tasks);
  const record = () => fakes.ingestions.stored(grant.ingestionId);
  const insertedIds = () => fakes.cassandra.matching(/^INSERT/).map((statement) => statement.params[0]);
  const finalKey = (stage: 'ingested' | 'rejected') => objectKey({ tenant: 'zoo', stage, batchId: grant.batchId, fileName });
  const run = (task: ChunkTask, receiveCount = 1) => fileTasks.run(task, { receiveCount });
  return { ...fakes, fileTasks, ingest, drain, record, insertedIds, finalKey, run };
}

/** The chunks one scan of the whole file cuts. */
function sequentialChunks(format: TextFormat, body: Buffer): ChunkSpan[] {
  const scan = new ChunkBoundaries(format, CHUNK);
  const chunks = scan.feed(body);
  const last = scan.finish(body.length);
  return last ? [...chunks, last] : chunks;
}

function validated(tasks: readonly ChunkTask[]): ChunkSpan[] {
  return tasks.flatMap((task) => (task.kind === 'validate' ? [task.chunk] : [])).sort((a, b) => a.index - b.index);
}

function ranges(tasks: readonly ChunkTask[]) {
  return tasks.filter((task) => task.kind === 'range');
}

describe('a large CSV or NDJSON file planned in ranges', () => {
  it('sends a task per range; run out of order, one twice, the last one puts together the chunks one scan would cut, and the file is ingested', async () => {
    const { text, ids } = quotedReadings(40);
    const body = Buffer.from(text);
    const { ingest, tasks, record, run, drain, insertedIds, planRanges, finalKey, bucket, ingestions } = await setUp('readings.csv', body);
    await ingest();
    const sent = tasks.take();
    const count = Math.ceil(body.length / (CHUNK * RANGE_CHUNKS));
    expect(sent).toHaveLength(count);
    expect(ranges(sent).map((task) => task.range)).toEqual(
      Array.from({ length: count }, (_, index) => ({ index, count, bytes: CHUNK * RANGE_CHUNKS, chunkSize: CHUNK })),
    );
    expect(record()).toMatchObject({ phase: 'planning', chunksTotal: undefined });

    // The last range first, the second one twice (a redelivery), the first range last of all.
    const [first, second, ...others] = sent as [ChunkTask, ChunkTask, ...ChunkTask[]];
    for (const task of [...others].reverse()) await run(task);
    await run(second);
    await run(second, 2);
    expect(tasks.take()).toEqual([]);
    expect(record()).toMatchObject({ phase: 'planning', chunksTotal: undefined });
    await run(first);

    const chunks = validated(tasks.sent);
    expect(chunks).toEqual(sequentialChunks('csv', body));
    expect(chunks.length).toBeGreaterThan(count);
    expect(record()).toMatchObject({ phase: 'validating', chunksTotal: chunks.length });
    expect([...planRanges.savedCount.values()]).toEqual([...Array.from({ length: count - 2 }, () => 1), 2, 1]);

    // A range delivered again once the file is cut does nothing.
    const sentBefore = tasks.sent.length;
    await run(others[0] as ChunkTask, 2);
    expect(tasks.sent).toHaveLength(sentBefore);

    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40, badRows: 0, chunksTotal: chunks.length });
    expect(insertedIds()).toEqual(ids);
    expect(bucket.keys()).toEqual([finalKey('ingested')]);
    expect(ingestions.transitions.filter(({ changes }) => changes.phase === 'validating')).toHaveLength(1);
  });

  it('cuts the same chunks when two range tasks put them together at once, and moves the record on once', async () => {
    const { text, ids } = quotedReadings(40);
    const body = Buffer.from(text);
    const { ingest, tasks, record, run, drain, insertedIds, ingestions, chunks } = await setUp('readings.csv', body);
    await ingest();
    const sent = tasks.take();
    // Every range scanned, then the first two delivered again at once: both find every range saved and stitch.
    for (const task of sent.slice(2)) await run(task);
    await Promise.all(sent.slice(0, 2).map((task) => run(task)));
    await Promise.all(sent.slice(0, 2).map((task) => run(task, 2)));
    const expected = sequentialChunks('csv', body);
    // Both put the chunks together, the same: each sent every validate task (a duplicate finds its checkpoint).
    expect(validated(tasks.sent)).toEqual(expected.flatMap((chunk) => [chunk, chunk]));
    expect(ingestions.transitions.filter(({ changes }) => changes.phase === 'validating')).toHaveLength(1);
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
    expect(insertedIds()).toEqual(ids);
    expect([...chunks.writtenCount.values()].every((count) => count === 1)).toBe(true);
  });

  it('decides when a range is delivered again after its stitcher died between moving the record on and deciding', async () => {
    const { text } = quotedReadings(40);
    const { ingest, tasks, record, run, drain, ingestions } = await setUp('readings.csv', Buffer.from(text));
    await ingest();
    const sent = tasks.take();
    for (const task of sent.slice(1)) await run(task);
    // Every chunk is validated before the record says how many there are (so none of them decides), then the stitcher dies.
    const transition = ingestions.transition.bind(ingestions);
    ingestions.transition = async (...args) => {
      if (args[3].phase !== 'validating') return transition(...args);
      for (const task of tasks.take()) await run(task);
      await transition(...args);
      throw new Error('the invocation died');
    };
    await expect(run(sent[0] as ChunkTask)).rejects.toThrow('the invocation died');
    ingestions.transition = transition;
    expect(record()).toMatchObject({ phase: 'validating' });
    expect(tasks.take()).toEqual([]);

    await run(sent[0] as ChunkTask, 2);
    expect(record()).toMatchObject({ phase: 'writing' });
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
  });

  it('finishes a file whose range task gave up once the task is redriven: the redriven scan moves the failed record on', async () => {
    const { text, ids } = quotedReadings(40);
    const { ingest, tasks, record, run, drain, insertedIds, fileTasks } = await setUp('readings.csv', Buffer.from(text));
    await ingest();
    const sent = tasks.take();
    const last = sent.at(-1) as ChunkTask;
    for (const task of sent.slice(0, -1)) await run(task);
    // The last range's task failed every try (S3 unreachable, say) and is dead-lettered: the file is failed, still planning.
    await fileTasks.deadLettered(last, new Error('S3 is unreachable'), 3);
    expect(record()).toMatchObject({ status: 'failed', phase: 'planning' });
    expect(record()?.reason).toMatch(/^scanning .* failed 3 times: S3 is unreachable; /);

    // The operator redrives it: a new message, on its first delivery.
    await run(last);
    expect(record()).toMatchObject({ status: 'processing', phase: 'validating', reason: undefined });
    await drain();
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
    expect(insertedIds()).toEqual(ids);
  });

  it('plans an NDJSON file in ranges too, its chunks those one scan would cut', async () => {
    const { text, ids } = ndjsonReadings(30);
    const body = Buffer.from(text);
    const { ingest, tasks, record, drain, insertedIds } = await setUp('readings.ndjson', body);
    await ingest();
    expect(tasks.chunkTasksSent().every((task) => task.kind === 'range')).toBe(true);
    await drain();
    expect(validated(tasks.sent)).toEqual(sequentialChunks('ndjson', body));
    expect(record()).toMatchObject({ status: 'ingested', rows: 30 });
    expect(insertedIds()).toEqual(ids);
  });

  it.each([
    ['a compressed CSV file', 'readings.csv.gz', () => gzip(quotedReadings(40).text)],
    ['a JSON array', 'readings.json', () => Buffer.from(JSON.stringify(quotedReadings(40).ids.map((id, value) => ({ id, value }))))],
    ['a CSV file of under two ranges', 'readings.csv', () => Buffer.from(quotedReadings(6).text)],
  ])('cuts %s in one scan', async (_what, fileName, body) => {
    const { ingest, tasks, drain, record } = await setUp(fileName, body());
    await ingest();
    await drain();
    expect(tasks.sent.filter((task) => task.kind === 'range')).toEqual([]);
    expect(record()?.status).toBe('ingested');
  });

  it('hands a CSV file whose header runs past the first range to one scan from its start', async () => {
    const ids = Array.from({ length: 40 }, (_, index) => `r${index}`);
    const body = Buffer.from(`id,value,"${'a long note\n'.repeat(12)}"\n${ids.map((id, index) => `${id},${index},x\n`).join('')}`);
    const { ingest, tasks, drain, record, insertedIds } = await setUp('readings.csv', body);
    await ingest();
    expect(tasks.chunkTasksSent().every((task) => task.kind === 'range')).toBe(true);
    await drain();
    expect(tasks.sent.filter((task) => task.kind === 'plan')).toHaveLength(1);
    expect(validated(tasks.sent)).toEqual(sequentialChunks('csv', body));
    expect(record()).toMatchObject({ status: 'ingested', rows: 40 });
    expect(insertedIds()).toEqual(ids);
  });

  it('rejects the file when a range is not text, and at once', async () => {
    const { text } = quotedReadings(40);
    const body = Buffer.from(text);
    body[300] = 0;
    const { ingest, tasks, record, run, insertedIds } = await setUp('readings.csv', body);
    await ingest();
    const sent = tasks.take();
    for (const task of sent) await run(task);
    expect(record()).toMatchObject({ status: 'rejected' });
    expect(record()?.reason).toContain('byte 300 is a NUL byte');
    expect(tasks.take()).toEqual([]);
    expect(insertedIds()).toEqual([]);
  });

  it('rejects the file for a character split between two ranges that is not UTF-8', async () => {
    const { text } = quotedReadings(40);
    const body = Buffer.from(text);
    // The first byte of the second range is a two-byte character's second byte, after an ASCII byte.
    const at = CHUNK * RANGE_CHUNKS;
    body[at - 1] = 0x61;
    body[at] = 0xa9;
    const { ingest, drain, record } = await setUp('readings.csv', body);
    await ingest();
    await drain();
    expect(record()).toMatchObject({ status: 'rejected' });
    expect(record()?.reason).toContain(`byte ${at} is 0xa9, which is not UTF-8`);
  });

  it('records the file failed, naming the range, when a range task gives up', async () => {
    const { ingest, tasks, record, fileTasks } = await setUp('readings.csv', Buffer.from(quotedReadings(40).text));
    await ingest();
    const [, second] = tasks.take();
    await fileTasks.deadLettered(second as ChunkTask, new Error('S3 timed out'), 3);
    expect(record()?.status).toBe('failed');
    expect(record()?.reason).toBe(
      `scanning range 2 of ${(second as Extract<ChunkTask, { kind: 'range' }>).range.count} (bytes 128-255) of the file failed 3 times: S3 timed out; the object stays in incoming/ and the task is in the chunk dead-letter queue: redrive it once the cause is fixed`,
    );
  });

  it('carries a range task in a queue message and back', () => {
    const task = {
      kind: 'range' as const,
      upload: {
        tenant: 'zoo',
        batchId: 'b',
        ingestionId: 'i',
        fileName: 'a.csv',
        format: 'csv' as const,
        key: 'k',
        versionId: 'v',
        etag: 'e',
        version: 'v',
        size: 1000,
      },
      range: { index: 1, count: 4, bytes: 256, chunkSize: 64 },
    };
    expect(decodeChunkTask(encodeChunkTask(task))).toEqual(task);
  });
});
