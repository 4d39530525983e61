import type { IngestionRecord } from '../../layers/platform/src/ingest/files/IngestionStore';
import { IngestionProgressReader } from '../../layers/platform/src/reports/IngestionProgress';
import { FakeChunkStore } from './fakes/FakeChunkStore';
import { FakeClock } from './fakes/FakeClock';
import { asReal } from './fakes/Public';
import { processingRecord } from './fakes/processingRecord';

const MINUTE = 60_000;
const clock = new FakeClock();

function record(changes: Partial<IngestionRecord>): IngestionRecord {
  return processingRecord({ startedAt: new Date(clock.now() - 30 * MINUTE), ...changes });
}

describe('where an ingestion stands', () => {
  const chunks = new FakeChunkStore(clock);
  const reader = new IngestionProgressReader(asReal(chunks), 6 * MINUTE);
  const status = async (each: IngestionRecord) => (await reader.of([each], clock.now()))[0]?.record.status;

  it('shows a running file nobody has touched for longer than an invocation may run as stalled', async () => {
    expect(await status(record({ updatedAt: new Date(clock.now() - 7 * MINUTE) }))).toBe('stalled');
    expect(await status(record({ status: 'retrying', updatedAt: undefined }))).toBe('stalled');
    expect(await status(record({ updatedAt: new Date(clock.now() - 5 * MINUTE) }))).toBe('processing');
    expect(await status(record({ status: 'failed', updatedAt: new Date(clock.now() - 60 * MINUTE) }))).toBe('failed');
  });

  it("counts a chunked file's chunks, and takes a chunk's activity for the file's", async () => {
    const file = record({ phase: 'validating', chunksTotal: 3, updatedAt: new Date(clock.now() - 20 * MINUTE) });
    const version = { tenant: 'zoo', ingestionId: file.ingestionId, version: 'v1' };
    await chunks.cut(
      version,
      [0, 1, 2].map((index) => ({ index, start: index * 10, end: index * 10 + 10, positionOffset: 0 })),
    );
    await chunks.validated(version, 0, { sourceRecords: 1, rows: 1, badRows: 0, badRowSamples: [], ms: 1 });
    const [progress] = await reader.of([file], clock.now() + 5 * MINUTE);
    expect(progress).toEqual({ record: file, chunks: { total: 3, validated: 1, written: 0, failed: 0 } });
    expect((await reader.of([file], clock.now() + 7 * MINUTE))[0]?.record.status).toBe('stalled');
    expect((await reader.of([{ ...file, status: 'ingested' }], clock.now()))[0]?.chunks).toEqual({ total: 3, validated: 3, written: 3, failed: 0 });
  });

  it("shows a chunked file whose tenant has chunk tasks queued as waiting for its tenant's share, not stalled, asking once per report", async () => {
    const asked: string[] = [];
    const share = { queued: 12, inFlight: 2, limit: 2 };
    const sharing = new IngestionProgressReader(asReal(chunks), 6 * MINUTE, clock, (tenant) => {
      asked.push(tenant);
      return Promise.resolve(tenant === 'zoo' ? share : { queued: 0, inFlight: 0, limit: 4 });
    });
    const idle = { phase: 'validating', chunksTotal: 3, version: 'v1', updatedAt: new Date(clock.now() - 20 * MINUTE) } as const;
    const files = [record({ ...idle }), record({ ...idle, batchId: 'x' }), record({ ...idle, tenant: 'shop' })];
    const views = await sharing.of(files, clock.now());
    expect(views.map((view) => [view.record.tenant, view.record.status, view.waiting])).toEqual([
      ['zoo', 'processing', share],
      ['zoo', 'processing', share],
      ['shop', 'stalled', undefined],
    ]);
    expect(asked).toEqual(['zoo', 'shop']);
    // A file that is not running any more waits for nothing.
    expect((await sharing.of([{ ...files[0], status: 'rejected' } as IngestionRecord], clock.now()))[0]?.waiting).toBeUndefined();
  });

  it("shows a whole file that waits for its next attempt in its tenant's queue as waiting for its tenant's share, not stalled", async () => {
    const share = { queued: 100, inFlight: 4, limit: 4 };
    const sharing = new IngestionProgressReader(asReal(chunks), 6 * MINUTE, clock, () => Promise.resolve(share));
    const taken = record({ updatedAt: new Date(clock.now() - 20 * MINUTE) });
    const [view] = await sharing.of([taken], clock.now());
    expect(view).toEqual({ record: taken, chunks: undefined, waiting: share });
    const idle = new IngestionProgressReader(asReal(chunks), 6 * MINUTE, clock, () => Promise.resolve({ queued: 0, inFlight: 0, limit: 4 }));
    expect((await idle.of([taken], clock.now()))[0]?.record.status).toBe('stalled');
    // Its next attempt waits its turn too; a file being ingested now is just that.
    const retrying = record({ status: 'retrying', updatedAt: new Date(clock.now() - MINUTE) });
    expect((await sharing.of([retrying], clock.now()))[0]?.waiting).toEqual(share);
    const working = record({ updatedAt: new Date(clock.now() - MINUTE) });
    expect(await sharing.of([working], clock.now())).toEqual([{ record: working, chunks: undefined }]);
  });
});
