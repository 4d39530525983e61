import { KeyspaceSchema } from '../../cassandra/KeyspaceSchema';
import { RowWriter } from '../../cassandra/RowWriter';
import { RowValues, type ValuedRow } from '../../cassandra/RowValues';
import { DeferredError } from '../../errors';
import { platformLogger } from '../../logging/platformLogger';
import { pacedBufferRows, RatePacer } from '../../rates/RatePacer';
import { rowFeed } from '../../rates/rowFeed';
import { WriteTimeSpent } from '../../rates/WriteTimeSpent';
import type { Tenant } from '../../tenants/Tenant';
import { textFormat } from '../../tenants/FileFormat';
import { readRecords } from '../records/readRecords';
import { guardText } from '../records/TextGuard';
import { appPlan, fileColumns } from './appPlan';
import { parquetDecodedBytes } from '../parquet/parquetChunks';
import { readParquetRecords } from '../parquet/readParquetRecords';
import type { BatchIngestPlan } from '../apps/BatchIngestApp';
import type { SourceRecord } from '../records/SourceRecord';
import { countedText, TextOverChunkError, type UploadText } from './UploadText';
import type { BadRowsFiles } from './BadRowsFiles';
import type { BatchIngestDependencies } from './BatchIngestDependencies';
import type { ChunkedIngestion } from './ChunkedIngestion';
import type { UploadRef } from './ChunkTask';
import { fileVerdict } from './FileVerdict';
import type { IngestionOutcomes } from './IngestionOutcomes';
import type { IngestionRecord } from './IngestionStore';
import { MAX_KEPT_BAD_ROWS, PROGRESS_EVERY, scanSourceRecords, takeSample } from './scanSourceRecords';
import { rowChecker, RowsInMemory } from './ValidatedRows';

export interface WholeFileDependencies extends Pick<
  BatchIngestDependencies,
  'ingestions' | 'cassandra' | 'topology' | 'loadApp' | 'streamTables' | 'writeConcurrency' | 'clock' | 'rates' | 'chunkSize'
> {
  readonly text: UploadText;
  readonly outcomes: IngestionOutcomes;
  readonly badRows: BadRowsFiles;
  /** Where a file too slow to write whole goes on. */
  readonly chunked: ChunkedIngestion;
  /** How long an invocation held back by its tenant's `limits.rowsPerSecond` may go on writing. */
  readonly writeBudgetMs: number;
  /** The latest a paced write may wait until (from the invocation's start). */
  readonly writeDeadlineMs: number;
}

/**
 * A file up to the chunk size, ingested in the invocation that takes its
 * `file` task: read once to validate every record with the tenant's app
 * (writing nothing) and keep the rows it makes in memory
 * ({@link RowsInMemory}), judged by its totals ({@link fileVerdict}), then
 * those rows written with prepared statements and bounded concurrency
 * (upserts by primary key, so a retry duplicates nothing), and finished
 * ({@link IngestionOutcomes}). A file its tenant's rowsPerSecond would hold
 * back past the invocation's time goes on in chunks ({@link ChunkedIngestion}).
 *
 * @example
 * await whole.ingest(tenant, upload, record, clock.now());
 */
export class WholeFileIngestion {
  constructor(private readonly deps: WholeFileDependencies) {}

  /** A file up to the chunk size, in this invocation: read once to validate, its rows kept for the write. */
  async ingest(tenant: Tenant, upload: UploadRef, record: IngestionRecord, begun: number): Promise<IngestionRecord> {
    const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
    const schema = this.schemaOf(tenant);
    const app = await this.deps.loadApp(tenant.id);
    const maxBadRows = tenant.profile.batch.maxBadRows;
    // A Parquet file is weighed by its values written out plainly, as its chunks are.
    if (upload.format === 'parquet' && (await parquetDecodedBytes(this.deps.text, upload)) > this.deps.chunkSize) {
      return this.inChunks(tenant, upload, record, begun, 'its values take more than the chunk size written out plainly');
    }

    const validating = performance.now();
    // A compressed file's text may be many times its size: taken whole only while it fits in a chunk.
    const text =
      upload.format === 'parquet'
        ? undefined
        : countedText(await this.deps.text.openFrom(upload, 0), upload.compression ? this.deps.chunkSize : Number.POSITIVE_INFINITY);
    const items = text ? readRecords(guardText(text.text), textFormat(upload.format)) : readParquetRecords(this.deps.text, upload);
    let checked: Awaited<ReturnType<typeof scanSourceRecords>>;
    let plan: BatchIngestPlan;
    let sample: SourceRecord[];
    let kept: RowsInMemory;
    try {
      const taken = await takeSample(items);
      sample = taken.sample;
      plan = (await appPlan(app, { ...upload, columns: await fileColumns(this.deps.text, upload) }, sample, schema, this.deps.streamTables)).plan;
      // Rows are kept as a chunk's validate pass keeps them (a value the driver would refuse makes a bad row, as in a
      // chunk), in memory, for the write; a dry run only checks them.
      const values = new RowValues(plan.tables, keyspace);
      kept = new RowsInMemory(values);
      checked = await scanSourceRecords(items, {
        format: upload.format,
        plan,
        maxBadRows,
        buffered: taken.buffered,
        keepBadRows: MAX_KEPT_BAD_ROWS,
        rowKeeper: record.dryRun ? rowChecker(values) : kept.keeper,
      });
    } catch (error) {
      if (!(error instanceof TextOverChunkError)) throw error;
      return this.inChunks(tenant, upload, record, begun, 'its text is over the chunk size');
    }
    const textBytes = upload.compression ? text?.counted.bytes : undefined;
    const badRowsKey = await this.deps.badRows.write(upload, Object.keys(sample[0]?.fields ?? {}), checked.kept);
    const verdict = fileVerdict(checked, { maxBadRows, dryRun: record.dryRun });
    if (verdict.outcome === 'rejected') {
      return this.deps.outcomes.finish(record, 'rejected', {
        reason: verdict.reason,
        stats: { rows: 0, badRows: checked.badRows, badRowSamples: checked.badRowSamples, tables: [] },
        badRowsKey,
        textBytes,
      });
    }
    const tables = plan.tables.map((table) => `${keyspace}.${table.name}`);
    if (verdict.outcome === 'validated') {
      return this.deps.outcomes.finish(record, 'validated', {
        reason: verdict.reason,
        stats: { rows: checked.rows, badRows: checked.badRows, badRowSamples: checked.badRowSamples, tables },
        badRowsKey,
        textBytes,
      });
    }

    // Held back by the tenant's rowsPerSecond, a file may take longer to write than an invocation has, and a whole
    // file cannot stop half-way and resume: one whose rows cannot be written at the limit in the time left goes in
    // chunks (of one chunk or more), which can; so does one whose writing runs out of time after all (its tenant's
    // other writers took their share): the rows written so far are written again by its chunks, as upserts.
    const limit = tenant.profile.limits.rowsPerSecond;
    const pacer = limit && this.deps.rates ? new RatePacer(this.deps.rates, tenant.id, 'rows', limit, begun + this.deps.writeDeadlineMs) : undefined;
    const stopAt = begun + this.deps.writeBudgetMs;
    if (pacer && limit && this.deps.clock.now() + (checked.rows / limit) * 1000 > stopAt)
      return this.inChunks(tenant, upload, record, begun, `its ${checked.rows} rows wait for its tenant's share`);

    const writing = performance.now();
    await schema.ensureTables(plan.tables);
    const writer = new RowWriter(this.deps.cassandra, keyspace, plan.tables, {
      concurrency: this.deps.writeConcurrency,
      ...(pacer && limit ? { pace: pacer.pace, bufferedRows: pacedBufferRows(limit) } : {}),
    });
    // Progress: conditional, so that it never overwrites the finished record. One that fails loses only the count the
    // record shows meanwhile: the next report, or the finished record, says the rows written.
    const progress = (rows: number): void =>
      void this.deps.ingestions
        .transition(record, record.version, ['processing'], { rows })
        .catch((error: unknown) => platformLogger.warn('progress not recorded; the next report says it', { ingestion: upload.ingestionId, rows, error }));
    let written = 0;
    try {
      await kept.keeper.finish();
      const sink = rowFeed({ write: (rows: readonly ValuedRow[]) => writer.writeValued(rows) }, { stopAt: pacer ? stopAt : undefined, clock: this.deps.clock });
      for (const rows of kept.rows()) {
        await sink(rows);
        const reported = Math.floor(written / PROGRESS_EVERY);
        written += rows.length;
        if (Math.floor(written / PROGRESS_EVERY) > reported) progress(written);
      }
      await writer.flush();
    } catch (error) {
      // A wait the pacer would not wait (past the deadline) leaves rows unsent: the chunks write them.
      if (pacer && error instanceof DeferredError) return this.inChunks(tenant, upload, record, begun, `its ${checked.rows} rows wait for its tenant's share`);
      if (!(error instanceof WriteTimeSpent)) throw error;
      await writer.flush();
      return this.inChunks(tenant, upload, record, begun, `its ${checked.rows} rows wait for its tenant's share`);
    }
    if (pacer && pacer.waitedMs > 0) {
      platformLogger.info("file waited for its tenant's share", {
        ingestion: upload.ingestionId,
        tenant: tenant.id,
        kind: 'rows',
        waitedSeconds: Math.round(pacer.waitedMs / 100) / 10,
      });
    }
    return this.deps.outcomes.finish(record, 'ingested', {
      reason: verdict.reason,
      stats: { rows: written, badRows: checked.badRows, badRowSamples: checked.badRowSamples, tables },
      badRowsKey,
      textBytes,
      phases: { validateMs: Math.round(writing - validating), writeMs: Math.round(performance.now() - writing) },
    });
  }

  /**
   * A file that cannot be taken whole goes on in chunks, which can stop and resume: one too slow to write whole at
   * its tenant's rowsPerSecond, or a compressed one whose text is over the chunk size.
   */
  private async inChunks(tenant: Tenant, upload: UploadRef, record: IngestionRecord, begun: number, why: string): Promise<IngestionRecord> {
    platformLogger.info('file goes in chunks', { ingestion: upload.ingestionId, tenant: tenant.id, why, rowsPerSecond: tenant.profile.limits.rowsPerSecond });
    // The record says it is a chunked one now (cutting: phase `planning`), as if it had been from the start; conditional, so that a
    // record another invocation moved on is left alone.
    if (!(await this.deps.ingestions.transition(record, record.version, ['processing'], { phase: 'planning' }))) return record;
    await this.deps.chunked.start(tenant, upload, { ...record, phase: 'planning' }, begun);
    return record;
  }

  /** The tenant keyspace's tables, checked against the driver's schema metadata (no state of its own). */
  private schemaOf(tenant: Tenant): KeyspaceSchema {
    return new KeyspaceSchema(this.deps.cassandra, this.deps.topology.tenantKeyspace(tenant.profile));
  }
}
