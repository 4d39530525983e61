import { IngestionOutcomes } from '../../layers/platform/src/ingest/files/IngestionOutcomes';
import { FakeClock } from './fakes/FakeClock';
import { FakeIngestBucket } from './fakes/FakeIngestBucket';
import { FakeIngestionStore } from './fakes/FakeIngestionStore';
import { asReal } from './fakes/Public';
import { BATCH_ID, processingRecord } from './fakes/processingRecord';

const batchId = BATCH_ID;
const objectKey = `tenants/zoo/incoming/${batchId}/a.csv`;

function setUp() {
  const clock = new FakeClock();
  const bucket = new FakeIngestBucket(clock);
  const ingestions = new FakeIngestionStore(clock);
  const stored = bucket.upload(objectKey, 'id\n1\n', 'g1');
  const record = processingRecord({
    bytes: stored.size,
    startedAt: new Date(clock.now() - 1000),
    version: stored.versionId,
    versionId: stored.versionId,
    etag: stored.etag,
  });
  ingestions.seed(record);
  const finished: string[] = [];
  const outcomes = new IngestionOutcomes(asReal(bucket), asReal(ingestions), clock, (final) => {
    finished.push(final.status);
    return Promise.reject(new Error('metrics are down'));
  });
  return { bucket, ingestions, record, outcomes, finished };
}

describe('how an ingestion ends', () => {
  it('finishes once: a second finisher only makes sure the object is where the record says', async () => {
    const { outcomes, record, bucket, finished } = setUp();
    const first = await outcomes.finish(record, 'ingested', { stats: { rows: 1, badRows: 0, badRowSamples: [], tables: ['t'] } });
    const second = await outcomes.finish(record, 'rejected', { reason: 'late' });
    expect(first).toMatchObject({ status: 'ingested', rows: 1, finalKey: `tenants/zoo/ingested/${batchId}/a.csv` });
    expect(first.durationMs).toBe(1000);
    expect(second).toMatchObject({ status: 'ingested', rows: 1 });
    expect(bucket.moves).toHaveLength(1);
    // A failure to record metrics does not undo the ending. The second finisher counts the ending too, as it was
    // (its own answer may have been lost with its coordinator); the metrics are keyed by the ingestion: counted once.
    expect(finished).toEqual(['ingested', 'ingested']);
  });

  it('marks a running ingestion failed once, leaving the object in incoming/', async () => {
    const { outcomes, record, bucket, ingestions } = setUp();
    expect(await outcomes.failed(record, 'gave up')).toBe(true);
    expect(await outcomes.failed(record, 'gave up again')).toBe(false);
    expect(ingestions.stored(record.ingestionId)).toMatchObject({ status: 'failed', reason: 'gave up' });
    await outcomes.ensureMoved({ ...record, status: 'failed', finalKey: 'tenants/zoo/rejected/x/a.csv' });
    expect(bucket.keys()).toEqual([objectKey]);
  });

  it('records a failed attempt even when the store is down too, without throwing', async () => {
    const { outcomes, record, ingestions } = setUp();
    ingestions.fail(new Error('Cassandra is down'));
    await expect(outcomes.attemptFailed(record, new Error('boom'))).resolves.toBeUndefined();
    ingestions.heal();
    expect(ingestions.stored(record.ingestionId)?.status).toBe('processing');
  });
});
