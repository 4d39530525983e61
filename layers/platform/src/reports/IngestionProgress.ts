import { systemClock, type Clock } from '../Clock';
import type { IngestionRecord } from '../ingest/batch/IngestionStore';
import { countChunks, type ChunkCounts, type ChunkStore } from '../ingest/chunks/ChunkStore';

/** An ingestion record as a tenant follows it: the status it shows, and a chunked file's chunks. */
export interface IngestionProgress {
  readonly record: IngestionRecord;
  readonly chunks: ChunkCounts | undefined;
}

/**
 * Reads where ingestions stand. A file ingested in chunks shows its chunks
 * (total, validated, written, failed). A record still `processing` (or
 * `retrying`) that nobody has touched for longer than an invocation may run
 * shows as `stalled`: its invocation died and the retry has not come yet, so
 * the record does not claim work nobody is doing; the retry or the
 * dead-letter path settles it.
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
  ) {}

  async of(records: readonly IngestionRecord[], now = this.clock.now()): Promise<IngestionProgress[]> {
    return Promise.all(records.map((record) => this.one(record, now)));
  }

  private async one(record: IngestionRecord, now: number): Promise<IngestionProgress> {
    const running = record.status === 'processing' || record.status === 'retrying';
    const chunked = record.chunksTotal !== undefined || record.phase !== undefined;
    if (!chunked || !record.run) return { record: running ? this.stalledIfIdle(record, record.updatedAt, now) : record, chunks: undefined };
    if (record.status === 'ingested') {
      const total = record.chunksTotal ?? 0;
      return { record, chunks: { total, validated: total, written: total, failed: 0 } };
    }
    const states = await this.chunks.list({ tenant: record.tenant, ingestionId: record.ingestionId, run: record.run });
    const chunks = countChunks(states, record.chunksTotal);
    const activity = Math.max(record.updatedAt?.getTime() ?? 0, ...states.map((state) => state.lastActivity?.getTime() ?? 0));
    return { record: running ? this.stalledIfIdle(record, new Date(activity), now) : record, chunks };
  }

  private stalledIfIdle(record: IngestionRecord, lastActivity: Date | undefined, now: number): IngestionRecord {
    const since = (lastActivity ?? record.startedAt).getTime();
    return now - since > this.stalledAfterMs ? { ...record, status: 'stalled' } : record;
  }
}
