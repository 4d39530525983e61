import { systemClock, type Clock } from '../Clock';
import type { IngestionRecord } from '../ingest/files/IngestionStore';
import type { ChunkShare } from '../ingest/files/ChunkShares';
import { countChunks, type ChunkCounts, type ChunkStore } from '../ingest/files/ChunkStore';

/** An ingestion record as a tenant follows it: the status it shows, a chunked file's chunks, and its tenant's share while its tasks wait their turn. */
export interface IngestionProgress {
  readonly record: IngestionRecord;
  readonly chunks: ChunkCounts | undefined;
  /** Set while a running file's tenant has tasks waiting in its chunk queue: the file waits for its tenant's share. */
  readonly waiting?: ChunkShare | undefined;
}

/**
 * Reads where ingestions stand. A file ingested in chunks shows its chunks
 * (total, validated, written, failed). A record still `processing` (or
 * `retrying`) that nobody has touched for longer than an invocation may run
 * shows as `stalled`: its invocation died and the retry has not come yet, so
 * the record does not claim work nobody is doing; the retry or the
 * dead-letter path settles it. A file whose tenant has tasks queued, and
 * that waits for its next task (its chunks', or its own file task's retry),
 * is not stalled but waiting for its tenant's share of the chunk invocations,
 * and says so with the share. (An upload whose file task has not run yet has
 * no record: it is taken in when its tenant's turn comes.)
 *
 * @example
 * const views = await new IngestionProgressReader(chunks, 360_000).of(records);
 */
export class IngestionProgressReader {
  constructor(
    private readonly chunks: ChunkStore,
    /** How long without any activity makes a running ingestion stalled. */
    private readonly stalledAfterMs: number,
    /** The time idleness is measured against (the clock the stores stamp activity with). */
    private readonly clock: Clock = systemClock,
    /** A tenant's share of the chunk invocations now (null when unknown). */
    private readonly shareOf: (tenant: string) => Promise<ChunkShare | null> = () => Promise.resolve(null),
  ) {}

  async of(records: readonly IngestionRecord[], now = this.clock.now()): Promise<IngestionProgress[]> {
    // One look at a tenant's queue per report, however many of its files are running.
    const shares = new Map<string, Promise<ChunkShare | null>>();
    const shareOf = (tenant: string): Promise<ChunkShare | null> => {
      let share = shares.get(tenant);
      if (!share) shares.set(tenant, (share = this.shareOf(tenant)));
      return share;
    };
    return Promise.all(records.map((record) => this.one(record, now, shareOf)));
  }

  private async one(record: IngestionRecord, now: number, shareOf: (tenant: string) => Promise<ChunkShare | null>): Promise<IngestionProgress> {
    const { chunks, lastActivity } = await this.chunksOf(record);
    if (record.status !== 'processing' && record.status !== 'retrying') return { record, chunks };
    const view = this.stalledIfIdle(record, lastActivity, now);
    // A whole file taken in and active is being ingested now: it waits for nothing.
    if (!chunks && view.status === 'processing') return { record, chunks };
    const share = await shareOf(record.tenant);
    if (share && share.queued > 0) return { record, chunks, waiting: share };
    return { record: view, chunks };
  }

  /** A chunked file's chunks, and the last sign of work on the file (its record's, or any of its chunks'). */
  private async chunksOf(record: IngestionRecord): Promise<{ chunks: ChunkCounts | undefined; lastActivity: Date | undefined }> {
    const chunked = record.chunksTotal !== undefined || record.phase !== undefined;
    if (!chunked || !record.version) return { chunks: undefined, lastActivity: record.updatedAt };
    if (record.status === 'ingested') {
      const total = record.chunksTotal ?? 0;
      return { chunks: { total, validated: total, written: total, failed: 0 }, lastActivity: record.updatedAt };
    }
    const states = await this.chunks.list({ tenant: record.tenant, ingestionId: record.ingestionId, version: record.version });
    const activity = Math.max(record.updatedAt?.getTime() ?? 0, ...states.map((state) => state.lastActivity?.getTime() ?? 0));
    return { chunks: countChunks(states, record.chunksTotal), lastActivity: new Date(activity) };
  }

  private stalledIfIdle(record: IngestionRecord, lastActivity: Date | undefined, now: number): IngestionRecord {
    const since = (lastActivity ?? record.startedAt).getTime();
    return now - since > this.stalledAfterMs ? { ...record, status: 'stalled' } : record;
  }
}
