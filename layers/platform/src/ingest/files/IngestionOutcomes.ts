import { ServiceUnavailableError } from '../../errors';
import type { Clock } from '../../Clock';
import { classifyFailure } from '../../failures/serviceFailure';
import { platformLogger } from '../../logging/platformLogger';
import type { IngestBucket } from '../../storage/IngestBucket';
import { objectKey, parseObjectKey } from '../../storage/objectKeys';
import { FILE_FORMATS, formatParts } from '../../tenants/FileFormat';
import { stagingPrefix } from './staging';
import { FINAL_STATUSES, type IngestionRecord, type IngestionStatus, type IngestionStore } from './IngestionStore';

/** What an ingestion found: rows written (or that would be), bad rows, tables. */
export interface IngestionStats {
  readonly rows: number;
  readonly badRows: number;
  readonly badRowSamples: readonly string[];
  readonly tables: readonly string[];
}

export type FinalOutcome = 'ingested' | 'rejected' | 'validated';

const STAGE: Record<FinalOutcome, 'ingested' | 'rejected' | 'validated'> = { ingested: 'ingested', rejected: 'rejected', validated: 'validated' };

/**
 * How an ingestion ends, the same way for a whole file and for a file in
 * chunks: the record moves to its final status once (a lightweight
 * transaction: when several chunks finish together only one finishes the
 * file), then the object version moves to `ingested/`, `rejected/` or
 * `validated/`, and one structured log line says what happened (tenant,
 * object, bytes, rows, duration, status, reason). A retry that finds the
 * record final only completes the move, so a crash between the two loses
 * nothing.
 *
 * @example
 * await outcomes.finish(record, 'ingested', { stats });
 */
export class IngestionOutcomes {
  constructor(
    private readonly bucket: IngestBucket,
    private readonly ingestions: IngestionStore,
    /** The time a record says it finished at. */
    private readonly clock: Clock,
    private readonly onFinished: (record: IngestionRecord) => Promise<void> = () => Promise.resolve(),
  ) {}

  async finish(
    record: IngestionRecord,
    status: FinalOutcome,
    details: {
      stats?: IngestionStats | undefined;
      reason?: string | undefined;
      phases?: Record<string, number> | undefined;
      badRowsKey?: string | undefined;
      /** A compressed file's text, in bytes. */
      textBytes?: number | undefined;
      /** The statuses it may end from (a chunked ingestion also from `failed`, once a redriven chunk completes it). */
      from?: readonly IngestionStatus[] | undefined;
    },
  ): Promise<IngestionRecord> {
    const finishedAt = this.clock.date();
    const key = parseObjectKey(record.objectKey);
    const finalKey = key ? objectKey({ ...key, stage: STAGE[status] }) : record.objectKey;
    const stats = details.stats;
    const changes: Partial<IngestionRecord> = {
      status,
      reason: details.reason,
      rows: stats?.rows ?? 0,
      badRows: stats?.badRows ?? 0,
      badRowSamples: stats?.badRowSamples ?? [],
      tables: stats?.tables ?? [],
      finishedAt,
      durationMs: finishedAt.getTime() - record.startedAt.getTime(),
      finalKey,
      phase: undefined,
      badRowsKey: details.badRowsKey,
      ...(details.textBytes === undefined ? {} : { textBytes: details.textBytes }),
    };
    if (!(await this.ingestions.transition(record, record.version, details.from ?? ['processing', 'retrying'], changes))) {
      // Another invocation finished it first, or this one did and the answer was lost with its coordinator (a
      // lightweight transaction that timed out may have applied): make sure its object is where the record says, and
      // count it, since the invocation whose answer was lost never will (the metrics are keyed by the ingestion, so
      // counting it again is counting it once).
      const current = (await this.ingestions.get(record.tenant, record.ingestionId)) ?? record;
      await this.ensureMoved(current);
      if (current.version === record.version && FINAL_STATUSES.includes(current.status) && current.status !== 'failed') {
        await this.onFinished(current).catch((error: Error) => platformLogger.warn('could not record the ingestion metrics', { error }));
      }
      return current;
    }
    const final = { ...record, ...changes };
    await this.bucket.move(record.objectKey, record.versionId, finalKey, record.bytes);
    await this.dropStaged(final);
    platformLogger.info('ingestion', {
      tenant: final.tenant,
      object: final.objectKey,
      batch: final.batchId,
      ingestion: final.ingestionId,
      bytes: final.bytes,
      ...(final.textBytes === undefined ? {} : { textBytes: final.textBytes }),
      rows: final.rows,
      badRows: final.badRows,
      durationMs: final.durationMs,
      status: final.status,
      reason: final.reason,
      ...(final.chunksTotal ? { chunks: final.chunksTotal } : {}),
      ...(details.phases ? { phases: details.phases } : {}),
    });
    await this.onFinished(final).catch((error: Error) => platformLogger.warn('could not record the ingestion metrics', { error }));
    return final;
  }

  /** A final record whose object version is still in `incoming/` (a crash between the two steps): finishes the move. */
  async ensureMoved(record: IngestionRecord): Promise<void> {
    if (!FINAL_STATUSES.includes(record.status) || record.status === 'failed' || !record.finalKey) return;
    if (await this.bucket.head(record.objectKey, record.versionId)) await this.bucket.move(record.objectKey, record.versionId, record.finalKey, record.bytes);
    await this.dropStaged(record);
  }

  /**
   * What a file's tasks staged (a compressed file's text, chunks' validated rows, see {@link stagingPrefix}) is not
   * needed once the file is done. Only a file ingested in chunks (its plan's context is kept from its start) or a
   * compressed one stages anything.
   */
  private async dropStaged(record: IngestionRecord): Promise<void> {
    const format = FILE_FORMATS.find((each) => each === record.format);
    if (record.planContext !== undefined || (format && formatParts(format).compression)) await this.bucket.deleteAllVersions(stagingPrefix(record));
  }

  /**
   * An attempt failed for a reason that is not the file's: the record says it
   * will be retried (an outage is waited out, other errors get their tries);
   * the object stays in `incoming/`. Writing the record may fail too
   * (Cassandra down): that is logged, and the retry writes it.
   */
  async attemptFailed(record: IngestionRecord, error: Error): Promise<void> {
    const failure = classifyFailure(error);
    const reason =
      failure instanceof ServiceUnavailableError
        ? `waiting for ${failure.service} to serve again (${error.message}); the ingestion goes on by itself`
        : `attempt ${record.attempts} failed, will retry: ${error.message}`;
    platformLogger.error('ingestion attempt failed', { tenant: record.tenant, object: record.objectKey, reason, error });
    await this.ingestions
      .transition(record, record.version, ['processing', 'retrying'], { status: 'retrying', reason })
      .catch((writeError: Error) => platformLogger.error('could not record the failed attempt', { object: record.objectKey, error: writeError }));
  }

  /** The message of an ingestion was dead-lettered after its last try: the record says it failed and why; the object stays in `incoming/`. */
  async gaveUp(record: IngestionRecord, error: unknown, where: string): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    await this.failed(record, `gave up after ${record.attempts} attempts: ${message}; ${where}`);
  }

  /** Marks a running ingestion failed (once), counting it like any other ending; false when it was not running. */
  async failed(record: IngestionRecord, reason: string): Promise<boolean> {
    const finishedAt = this.clock.date();
    const changes = { status: 'failed' as const, reason, finishedAt, durationMs: finishedAt.getTime() - record.startedAt.getTime() };
    if (!(await this.ingestions.transition(record, record.version, ['processing', 'retrying'], changes))) return false;
    await this.onFinished({ ...record, ...changes }).catch((error: Error) => platformLogger.warn('could not record the ingestion metrics', { error }));
    return true;
  }
}
