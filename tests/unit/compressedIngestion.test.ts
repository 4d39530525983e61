import { BatchIngestPipeline } from '../../layers/platform/src/ingest/files/BatchIngestPipeline';
import type { ChunkTask } from '../../layers/platform/src/ingest/files/ChunkTask';
import { FileTasks } from '../../layers/platform/src/ingest/files/FileTasks';
import { objectKey } from '../../layers/platform/src/storage/objectKeys';
import type { Tenant } from '../../layers/platform/src/tenants/Tenant';
import { compressed, ensureZstd, gzip } from '../helpers/compressors';
import { drainChunkTasks, fakeBatchIngestDependencies, ingestNow } from './fakes/fakeBatchIngestDependencies';
import { tenant } from './fakes/FakeTenantRegistry';

/** Readings whose ids hold quoted line breaks, commas and quotes, so that every chunk boundary lands near one. */
function quotedReadings(count: number): { text: string; ids: string[] } {
  const ids = Array.from({ length: count }, (_, index) => `r${index}\n"x",${index % 3}`);
  const lines = ids.map((id, index) => `"${id.replace(/"/g, '""')}",${index}`);
  return { text: `id,value\n${lines.join('\n')}\n`, ids };
}

const ZOO = tenant('zoo', {
  batch: { allowedFormats: ['csv', 'csv.gz', 'csv.zst', 'json.gz', 'ndjson.zst'], maxUncompressedSize: '64 KiB', maxBadRows: 0 },
});

async function setUp(fileName: string, body: Buffer, chunkSize: number, tenants: readonly Tenant[] = [ZOO]) {
  const fakes = fakeBatchIngestDependencies(tenants, { chunkSize });
  const pipeline = new BatchIngestPipeline(fakes.deps);
  const fileTasks = new FileTasks(fakes.deps);
  const grant = await fakes.uploads.grant(tenants[0] as Tenant, { fileName, size: body.length });
  const stored = fakes.bucket.upload(grant.key, body, grant.grantId);
  const object = { key: grant.key, size: stored.size, versionId: stored.versionId, etag: stored.etag };
  /** The upload's notification and file task, then every task they lead to, until none is left. */
  const ingestAll = async (): Promise<ChunkTask[]> => {
    await ingestNow(pipeline, fileTasks, fakes, object);
    return drainChunkTasks(fileTasks, fakes.tasks);
  };
  const insertedIds = () => fakes.cassandra.matching(/^INSERT/).map((statement) => statement.params[0]);
  const record = () => fakes.ingestions.stored(grant.ingestionId);
  const finalKey = (stage: 'ingested' | 'rejected') => objectKey({ tenant: 'zoo', stage, batchId: grant.batchId, fileName });
  return { ...fakes, ingestAll, insertedIds, record, finalKey, stored };
}

beforeAll(ensureZstd);

describe('a compressed text file', () => {
  it.each(['gz', 'zst'] as const)(
    '(.csv.%s) in chunks: staged, every row once with its quoted line breaks, both sizes recorded, nothing staged left',
    async (suffix) => {
      const { text, ids } = quotedReadings(60);
      const body = compressed(suffix, text);
      const { ingestAll, insertedIds, record, bucket, finalKey, stored } = await setUp(`readings.csv.${suffix}`, body, 128);
      const ran = await ingestAll();
      expect(ran.filter((task) => task.kind === 'validate').length).toBeGreaterThan(3);
      expect(record()).toMatchObject({
        status: 'ingested',
        rows: 60,
        badRows: 0,
        bytes: stored.size,
        textBytes: Buffer.byteLength(text),
        format: `csv.${suffix}`,
      });
      expect(insertedIds()).toEqual(ids);
      expect(bucket.keys()).toEqual([finalKey('ingested')]);
    },
  );

  it('(.json.gz) in chunks: the elements of the array, each once, the last chunk closing it', async () => {
    const elements = Array.from({ length: 30 }, (_, index) => ({ id: `e${index}`, value: index, note: 'a, "quoted" ] bracket' }));
    const { ingestAll, insertedIds, record } = await setUp('readings.json.gz', gzip(JSON.stringify(elements, null, 1)), 96);
    await ingestAll();
    expect(record()).toMatchObject({ status: 'ingested', rows: 30, chunksTotal: expect.any(Number) as number });
    expect(record()?.chunksTotal).toBeGreaterThan(3);
    expect(insertedIds()).toEqual(elements.map((element) => element.id));
  });

  it('up to the chunk size is ingested whole in one task, its text size recorded', async () => {
    const { text, ids } = quotedReadings(10);
    const { ingestAll, insertedIds, record } = await setUp('readings.csv.zst', compressed('zst', text), 4096);
    const ran = await ingestAll();
    expect(ran).toEqual([]);
    expect(record()).toMatchObject({ status: 'ingested', rows: 10, textBytes: Buffer.byteLength(text), chunksTotal: undefined });
    expect(insertedIds()).toEqual(ids);
  });

  it('small but unpacking past the chunk size goes on in chunks, writing each row once', async () => {
    const text = `id,value\n${Array.from({ length: 200 }, (_, index) => `r${index},${index}`).join('\n')}\n`;
    const body = gzip(text);
    expect(body.length).toBeLessThan(1024);
    const { ingestAll, insertedIds, record } = await setUp('readings.csv.gz', body, 1024);
    await ingestAll();
    expect(record()).toMatchObject({ status: 'ingested', rows: 200, textBytes: Buffer.byteLength(text) });
    expect(record()?.chunksTotal).toBeGreaterThan(1);
    expect(insertedIds()).toEqual(Array.from({ length: 200 }, (_, index) => `r${index}`));
  });

  it.each([
    ['a bomb: 1 KB that inflates past the limit', () => gzip(Buffer.alloc(200 * 1024, 'a')), /more than 100 times its compressed size .* decompression bomb/],
    [
      'a text over maxUncompressedSize',
      () => gzip(`id,value\n${Array.from({ length: 9000 }, (_, index) => `r${index},${Math.sqrt(index)}`).join('\n')}\n`),
      /unpacks to more than 64 KiB, the most its text may have \(maxUncompressedSize\)/,
    ],
    [
      'a truncated stream',
      () => gzip(quotedReadings(400).text).subarray(0, -20),
      /the gzip stream is corrupt or truncated near byte \d+ of the \.gz file \(unexpected end of file\)/,
    ],
    [
      'a file that only claims to be gzip',
      () => Buffer.from('id,value\na,1\n'),
      /the gzip stream is corrupt or truncated near byte \d+ of the \.gz file \(incorrect header check\)/,
    ],
  ])('is refused with its reason, no row written, whole or in chunks: %s', async (_what, body, reason) => {
    for (const chunkSize of [1024 * 1024, 256]) {
      const { ingestAll, insertedIds, record, bucket, finalKey } = await setUp('readings.csv.gz', body(), chunkSize);
      await ingestAll();
      expect(record()).toMatchObject({ status: 'rejected', rows: 0 });
      expect(record()?.reason).toMatch(reason);
      expect(insertedIds()).toEqual([]);
      expect(bucket.keys()).toEqual([finalKey('rejected')]);
    }
  });

  it('a truncated zstd stream is refused with its reason', async () => {
    const body = compressed('zst', quotedReadings(400).text);
    const { ingestAll, record, insertedIds } = await setUp('events.csv.zst', body.subarray(0, body.length - 10), 256);
    await ingestAll();
    expect(record()).toMatchObject({ status: 'rejected', rows: 0 });
    expect(record()?.reason).toMatch(/the zstd stream is corrupt or truncated near byte \d+ of the \.zst file/);
    expect(insertedIds()).toEqual([]);
  });
});
