import { UploadText } from '../../layers/platform/src/ingest/files/UploadText';
import { gzipSync } from 'node:zlib';
import { ChunkCutter } from '../../layers/platform/src/ingest/files/ChunkCutter';
import type { ChunkTask, UploadRef } from '../../layers/platform/src/ingest/files/ChunkTask';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { FakeChunkStore } from './fakes/FakeChunkStore';
import { FakeChunkTaskQueue } from './fakes/FakeChunkTaskQueue';
import { FakeClock } from './fakes/FakeClock';
import { FakeIngestBucket } from './fakes/FakeIngestBucket';
import { asReal } from './fakes/Public';

const key = 'tenants/zoo/incoming/20261130T120000Z-abcdef/a.csv';

function setUp(body: string | Buffer, compression?: 'gzip') {
  const bucket = new FakeIngestBucket();
  const chunks = new FakeChunkStore();
  const tasks = new FakeChunkTaskQueue();
  const stored = bucket.upload(key, body, 'g1');
  const upload: UploadRef = {
    tenant: 'zoo',
    batchId: '20261130T120000Z-abcdef',
    ingestionId: '20261130T120000Z-abcdef-0123456789',
    fileName: 'a.csv',
    format: 'csv',
    key,
    versionId: stored.versionId,
    etag: stored.etag,
    version: stored.versionId,
    size: stored.size,
    ...(compression ? { compression, maxTextBytes: 1024 * 1024 } : {}),
  };
  const cutter = new ChunkCutter(new UploadText(asReal(bucket)), asReal(chunks), asReal(tasks), 100, new FakeClock());
  return { bucket, chunks, tasks, upload, cutter };
}

const lines = `id,value\n${Array.from({ length: 100 }, (_, index) => `row-${index},${index}`).join('\n')}\n`;

function spans(tasks: readonly ChunkTask[]): Array<[number, number, number]> {
  return tasks.flatMap((task) =>
    task.kind === 'validate' || task.kind === 'write' ? [[task.chunk.index, task.chunk.start, task.chunk.end] as [number, number, number]] : [],
  );
}

describe('cutting a file into chunks', () => {
  it('cuts the whole file into contiguous chunks on line boundaries, checkpoints each and sends a validate task per chunk', async () => {
    const { cutter, tasks, chunks, upload } = setUp(lines);
    const progress = await cutter.cut(upload, undefined, Number.POSITIVE_INFINITY);
    const sent = tasks.take();
    expect(progress).toEqual({ done: true, total: sent.length, textBytes: upload.size });
    expect(sent.every((task) => task.kind === 'validate')).toBe(true);
    const cut = spans(sent);
    expect(cut[0]?.[1]).toBe(0);
    expect(cut.at(-1)?.[2]).toBe(upload.size);
    for (let index = 1; index < cut.length; index += 1) expect(cut[index]?.[1]).toBe(cut[index - 1]?.[2]);
    for (const [, start] of cut.slice(1)) expect(lines[start - 1]).toBe('\n');
    expect((await chunks.list(upload)).map((state) => [state.index, state.start, state.end, state.status])).toEqual(
      cut.map(([index, start, end]) => [index, start, end, 'planned']),
    );
    // Every chunk after the first carries the CSV header's extent, so that it can be read alone.
    expect(sent.slice(1).every((task) => (task.kind === 'validate' || task.kind === 'write') && task.header?.end === 9)).toBe(true);
  });

  it('hands the rest of the file to another invocation when out of time, which goes on from the last boundary', async () => {
    const { cutter, tasks, upload } = setUp(lines);
    const first = await cutter.cut(upload, undefined, 0);
    expect(first).toEqual({ done: false, total: undefined });
    const handed = tasks.take();
    const plan = handed.at(-1);
    if (plan?.kind !== 'plan') throw new Error('expected a plan task last');
    const before = spans(handed);
    expect(before.length).toBeGreaterThan(0);
    expect(plan.state.offset).toBe(before.at(-1)?.[2]);

    const rest = await cutter.cut(upload, plan.state, Number.POSITIVE_INFINITY);
    const after = spans(tasks.take());
    expect(rest).toEqual({ done: true, total: before.length + after.length, textBytes: upload.size });
    expect(after[0]).toEqual([before.length, plan.state.offset, expect.any(Number)]);
    expect(after.at(-1)?.[2]).toBe(upload.size);

    const whole = setUp(lines);
    await whole.cutter.cut(whole.upload, undefined, Number.POSITIVE_INFINITY);
    expect([...before, ...after]).toEqual(spans(whole.tasks.take()));
  });

  it("stages a compressed file's chunks as it cuts them, going on after its time ran out, and the staged text is the file's", async () => {
    const { cutter, tasks, upload, bucket } = setUp(gzipSync(lines), 'gzip');
    const first = await cutter.cut(upload, undefined, 0);
    expect(first.done).toBe(false);
    const handed = tasks.take();
    const plan = handed.at(-1);
    if (plan?.kind !== 'plan') throw new Error('expected a plan task last');
    const rest = await cutter.cut(upload, plan.state, Number.POSITIVE_INFINITY);
    expect(rest).toEqual({ done: true, total: expect.any(Number) as number, textBytes: lines.length });
    const sent = tasks.take();
    const cut = [...spans(handed), ...spans(sent)];
    const whole = setUp(lines);
    await whole.cutter.cut(whole.upload, undefined, Number.POSITIVE_INFINITY);
    expect(cut).toEqual(spans(whole.tasks.take()));
    // The last chunk's task knows where the text ends; the chunks before it were sent before anyone knew.
    expect(sent.at(-1)).toMatchObject({ upload: { textBytes: lines.length } });
    expect(handed.every((task) => task.kind === 'file' || task.upload.textBytes === undefined)).toBe(true);
    const text = new UploadText(asReal(bucket));
    const staged: Buffer[] = [];
    for (const [, start, end] of cut) {
      for await (const piece of await text.openInChunk(upload, start, start, end)) staged.push(piece as Buffer);
    }
    expect(Buffer.concat(staged).toString()).toBe(lines);
  });

  it('refuses a file that is not text while cutting it', async () => {
    const { cutter, upload, tasks } = setUp(Buffer.concat([Buffer.from('id,value\n'), Buffer.alloc(300, 0)]));
    await expect(cutter.cut(upload, undefined, Number.POSITIVE_INFINITY)).rejects.toBeInstanceOf(MalformedFileError);
    expect(tasks.sent.filter((task) => task.kind === 'plan')).toEqual([]);
  });
});
