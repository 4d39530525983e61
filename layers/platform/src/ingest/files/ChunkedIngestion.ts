import type cassandra from 'cassandra-driver';
import type { Clock } from '../../Clock';
import { randomUUID } from 'node:crypto';
import { KeyspaceSchema } from '../../cassandra/KeyspaceSchema';
import { DeferredError } from '../../errors';
import { RowWriter } from '../../cassandra/RowWriter';
import { RowValues, type ValuedRow } from '../../cassandra/RowValues';
import { platformLogger } from '../../logging/platformLogger';
import { pacedBufferRows, RatePacer } from '../../rates/RatePacer';
import type { TenantRateLimiter } from '../../rates/TenantRateLimiter';
import { rowFeed, type RowFeedOptions } from '../../rates/rowFeed';
import { WriteTimeSpent } from '../../rates/WriteTimeSpent';
import type { Tenant } from '../../tenants/Tenant';
import type { Topology } from '../../topology/Topology';
import type { BatchIngestApp, BatchIngestPlan } from '../apps/BatchIngestApp';
import { appPlan, fileColumns, readSample, type PlanContext } from './appPlan';
import type { BadRowsFiles } from './BadRowsFiles';
import { fileVerdict, ingestedReason } from './FileVerdict';
import type { IngestionOutcomes } from './IngestionOutcomes';
import { RESUMED, type IngestionRecord, type IngestionStatus, type IngestionStore } from './IngestionStore';
import type { StreamTables } from './StreamTables';
import { MAX_BAD_ROW_SAMPLES, MAX_KEPT_BAD_ROWS, scanSourceRecords } from './scanSourceRecords';
import { textFormat } from '../../tenants/FileFormat';
import { guardText } from '../records/TextGuard';
import { ChunkBoundaries, type BoundaryScanState, type ChunkSpan, type CsvHeader } from './ChunkBoundaries';
import { ChunkLease } from './ChunkLease';
import type { ChunkCutter, CutProgress } from './ChunkCutter';
import type { IngestedVersion, ChunkState, ChunkStore } from './ChunkStore';
import { describeChunk, describeRange, textBytesOf, type ChunkedFileTask, type PlanRange, type TaskDelivery, type UploadRef } from './ChunkTask';
import type { ChunkTaskQueue } from './ChunkTaskQueue';
import type { RangePlanner } from './RangePlanner';
import { readChunkSourceRecords } from './readChunkSourceRecords';
import type { UploadText } from './UploadText';
import { rowChecker, type ValidatedRows } from './ValidatedRows';
import { readParquetRecords } from '../parquet/readParquetRecords';

export interface ChunkedIngestionDependencies {
  readonly text: UploadText;
  readonly ingestions: IngestionStore;
  readonly outcomes: IngestionOutcomes;
  readonly badRows: BadRowsFiles;
  /** The rows a chunk's validate pass made, kept for its write pass. */
  readonly validatedRows: ValidatedRows;
  readonly chunks: ChunkStore;
  readonly tasks: ChunkTaskQueue;
  readonly cutter: ChunkCutter;
  /** Plans a large CSV or NDJSON file in byte ranges, several invocations at once. */
  readonly planner: RangePlanner;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly loadApp: (tenant: string) => Promise<BatchIngestApp>;
  /** The tenant's stream tables, which no batch file may take. */
  readonly streamTables: StreamTables;
  readonly writeConcurrency: number;
  /** How long a writer's claim on a chunk lasts before another may take it over (renewed while it writes). */
  readonly leaseMs: number;
  /** How long one invocation may cut before it hands the rest of the file on. */
  readonly cutBudgetMs: number;
  /** The time claims run out by (the same clock the chunk store gives them by). */
  readonly clock: Clock;
  /** The tenants' rate limits, shared by every invocation (none: unlimited). */
  readonly rates?: TenantRateLimiter | undefined;
  /** How long one invocation held back by its tenant's `limits.rowsPerSecond` may go on writing before it saves where it is and stops. */
  readonly writeBudgetMs: number;
  /** The latest a paced write may wait until (from the invocation's start): past it, the invocation stops at once, with what it saved last. */
  readonly writeDeadlineMs: number;
}

/**
 * Statuses in which a chunked ingestion's tasks still do their work: `failed`
 * too, because a chunk that gave up fails the record while its other chunks go
 * on, and the failed chunk, once redriven, finishes the file.
 */
const WORKING: readonly IngestionStatus[] = ['processing', 'failed'];

function versionOf(upload: UploadRef): IngestedVersion {
  return { tenant: upload.tenant, ingestionId: upload.ingestionId, version: upload.version };
}

/** Bad-row samples of the chunks, in file order, at most 20. */
function samplesOf(states: readonly ChunkState[]): string[] {
  return [...states]
    .sort((a, b) => a.index - b.index)
    .flatMap((state) => state.badRowSamples)
    .slice(0, MAX_BAD_ROW_SAMPLES);
}

/**
 * A file ingested in chunks, each chunk a bounded invocation of its own:
 *
 * 1. **cut**: the cutter cuts the file and sends a `validate` task per chunk
 *    (a large CSV or NDJSON file: its byte ranges are scanned at once, and the
 *    last one scanned puts the chunks together, see {@link RangePlanner});
 * 2. **validate**: every chunk is read and checked with the tenant's app,
 *    writing nothing; its counts and bad rows (numbered in the whole file) are
 *    checkpointed, and the rows the app made are kept for the write pass
 *    ({@link ValidatedRows});
 * 3. **decide**: once every chunk is validated, the file's total of bad rows
 *    decides, exactly as for a whole file: over the tolerance, the file is
 *    rejected and no row is written (decided as soon as the chunks validated so
 *    far are over it); else the record moves to `writing` (once: a lightweight
 *    transaction) and a `write` task goes out per chunk;
 * 4. **write**: each chunk is claimed, its kept rows written (a chunk
 *    validated without them is read again), checkpointed; the last one
 *    finishes the ingestion, exactly once.
 *
 * A chunk that fails is retried alone; a finished chunk is never redone (its
 * checkpoint says so); a task delivered twice finds the checkpoint, or the live
 * claim of the invocation writing it, and does nothing. On its last try a
 * failing chunk marks the record `failed`, naming the chunk and why, and the
 * object stays in `incoming/` until its task is redriven.
 *
 * @example
 * await chunked.start(tenant, upload, record, clock.now());
 * await chunked.run(tenant, record, task, delivery);
 */
export class ChunkedIngestion {
  constructor(private readonly deps: ChunkedIngestionDependencies) {}

  /** The tenant keyspace's tables, checked against the driver's schema metadata (no state of its own). */
  private schemaOf(tenant: Tenant): KeyspaceSchema {
    return new KeyspaceSchema(this.deps.cassandra, this.deps.topology.tenantKeyspace(tenant.profile));
  }

  /** The tenant app's plan for the file, the same in every invocation (see `appPlan`). */
  private async planOf(tenant: Tenant, upload: UploadRef, record: IngestionRecord): Promise<{ plan: BatchIngestPlan; context: PlanContext }> {
    const app = await this.deps.loadApp(tenant.id);
    const sample = await readSample(this.deps.text, upload);
    const context = record.planContext ? (JSON.parse(record.planContext) as PlanContext) : undefined;
    const columns = await fileColumns(this.deps.text, upload);
    return appPlan(app, { ...upload, columns }, sample, this.schemaOf(tenant), this.deps.streamTables, context);
  }

  /** From the file task: the app's plan of the tables, made once for the whole file, then the file cut into chunks (or its ranges sent). */
  async start(tenant: Tenant, upload: UploadRef, record: IngestionRecord, begun: number): Promise<void> {
    const { context } = await this.planOf(tenant, upload, { ...record, planContext: undefined });
    const planContext = JSON.stringify(context);
    await this.deps.ingestions.update(record, { planContext });
    if (this.deps.planner.takes(upload)) await this.deps.planner.start(upload);
    else await this.cut(tenant, upload, { ...record, planContext }, undefined, begun);
  }

  private async cut(tenant: Tenant, upload: UploadRef, record: IngestionRecord, from: BoundaryScanState | undefined, begun: number): Promise<void> {
    await this.planned(tenant, upload, record, await this.deps.cutter.cut(upload, from, begun + this.deps.cutBudgetMs));
  }

  /** One range of a file planned in ranges; a range of a file already cut (a redelivery) only makes sure the decision was taken. */
  private async planRange(tenant: Tenant, upload: UploadRef, record: IngestionRecord, range: PlanRange): Promise<void> {
    if (record.phase !== 'planning') {
      // Whoever cut the file may have died between moving the record on and deciding, after every chunk was validated.
      await this.decide(tenant, upload, false);
      return;
    }
    await this.planned(tenant, upload, record, await this.deps.planner.scan(upload, range));
  }

  /**
   * Once the file is cut through: the record moves to validating (once: whoever cut it too is refused) with its chunks'
   * count. From failed too: a redriven `plan` or `range` task of a file whose planning gave up carries it on.
   */
  private async planned(tenant: Tenant, upload: UploadRef, record: IngestionRecord, progress: CutProgress): Promise<void> {
    if (!progress.done) return;
    const textBytes = upload.compression ? progress.textBytes : undefined;
    const changes = { ...RESUMED, phase: 'validating' as const, chunksTotal: progress.total, textBytes };
    await this.deps.ingestions.transition(record, upload.version, WORKING, changes, 'planning');
    platformLogger.info('file cut into chunks', { ingestion: upload.ingestionId, chunks: progress.total, bytes: upload.size, textBytes });
    await this.decide(tenant, upload, false);
  }

  /** Does one task; a writer that fails gives its claim back, so that the retry may write at once. */
  async run(tenant: Tenant, record: IngestionRecord, task: ChunkedFileTask, delivery: TaskDelivery, begun: number): Promise<void> {
    const owner = randomUUID();
    try {
      if (task.kind === 'plan') await this.cut(tenant, task.upload, record, task.state, begun);
      else if (task.kind === 'range') await this.planRange(tenant, task.upload, record, task.range);
      else if (task.kind === 'validate') await this.validate(tenant, task.upload, record, task.chunk, task.header, delivery);
      else await this.write(tenant, task.upload, record, task.chunk, task.header, owner, delivery, begun);
    } catch (error) {
      if (task.kind === 'write') await this.release(task.upload, task.chunk, owner);
      throw error;
    }
  }

  /**
   * Gives a failed writer's claim back, so that the retry may write at once. Best effort: should it fail too
   * (Cassandra down), the claim simply runs out after the lease, and the retry waits for that (no try used).
   */
  private async release(upload: UploadRef, chunk: ChunkSpan, owner: string): Promise<void> {
    try {
      await this.deps.chunks.release(versionOf(upload), chunk.index, owner);
    } catch (error) {
      platformLogger.warn('could not give the chunk claim back; the retry waits until it runs out', {
        ingestion: upload.ingestionId,
        chunk: chunk.index,
        leaseSeconds: this.deps.leaseMs / 1000,
        error,
      });
    }
  }

  private async chunkBytes(upload: UploadRef, chunk: ChunkSpan, header: CsvHeader | undefined) {
    if (upload.format === 'parquet') return readParquetRecords(this.deps.text, upload, chunk);
    const body = guardText(await this.deps.text.openInChunk(upload, chunk.start, chunk.start, chunk.end), chunk.start);
    const headerBytes = header && chunk.start > 0 ? await this.deps.text.openInChunk(upload, 0, 0, header.end) : undefined;
    return readChunkSourceRecords(textFormat(upload.format), chunk, { body, header: headerBytes }, textBytesOf(upload));
  }

  private async validate(tenant: Tenant, upload: UploadRef, record: IngestionRecord, chunk: ChunkSpan, header: CsvHeader | undefined, delivery: TaskDelivery) {
    const version = versionOf(upload);
    const state = await this.deps.chunks.get(version, chunk.index);
    if (state && state.status !== 'planned' && state.status !== 'failed') {
      // Checkpointed: validated before (this is a redelivery). Make sure the decision was taken.
      await this.decide(tenant, upload, delivery.receiveCount > 1);
      return;
    }
    await this.deps.chunks.startValidation(version, chunk.index, (state?.validateAttempts ?? 0) + 1);
    const began = performance.now();
    const { plan } = await this.planOf(tenant, upload, record);
    // The rows are kept for the write pass, which then does not read the chunk again; a dry run only checks them.
    const values = new RowValues(plan.tables, this.deps.topology.tenantKeyspace(tenant.profile));
    const keeper = record.dryRun ? undefined : this.deps.validatedRows.keeper(upload, chunk.index, values);
    const stats = await scanSourceRecords(await this.chunkBytes(upload, chunk, header), {
      format: upload.format,
      plan,
      maxBadRows: tenant.profile.batch.maxBadRows,
      keepBadRows: MAX_KEPT_BAD_ROWS,
      rowKeeper: keeper ?? rowChecker(values),
    });
    // A chunk over the tolerance rejects the file: its rows are not needed.
    const keptRowParts = keeper && !stats.stopped ? await keeper.finish() : undefined;
    await this.deps.badRows.writePart(upload, chunk.index, stats.kept);
    await this.deps.chunks.validated(version, chunk.index, { ...stats, ms: performance.now() - began, keptRowParts });
    await this.decide(tenant, upload, delivery.receiveCount > 1);
  }

  /**
   * Decides what the validated chunks say: reject the file as soon as their bad
   * rows are over the tolerance; once all are validated, finish a dry run, or
   * move the record to `writing` and send the write tasks.
   */
  private async decide(tenant: Tenant, upload: UploadRef, redelivered: boolean): Promise<void> {
    const record = await this.deps.ingestions.get(upload.tenant, upload.ingestionId);
    if (!record || record.version !== upload.version || !WORKING.includes(record.status)) return;
    const states = await this.deps.chunks.list(versionOf(upload));
    const validated = states.filter((state) => state.status !== 'planned' && state.status !== 'failed');
    const badRows = validated.reduce((sum, state) => sum + state.badRows, 0);
    const rows = validated.reduce((sum, state) => sum + state.rows, 0);
    const verdict = fileVerdict({ rows, badRows, badRowSamples: samplesOf(validated) }, { maxBadRows: tenant.profile.batch.maxBadRows, dryRun: record.dryRun });
    // Over the tolerance with the chunks validated so far: rejected at once, unless the file was accepted already.
    if (verdict.outcome === 'rejected' && record.phase !== 'writing') {
      await this.deps.outcomes.finish(record, 'rejected', {
        from: WORKING,
        reason: verdict.reason,
        stats: { rows: 0, badRows, badRowSamples: samplesOf(validated), tables: [] },
        badRowsKey: await this.badRowsFile(upload, validated),
      });
      return;
    }
    if (record.chunksTotal === undefined || validated.length < record.chunksTotal) return;
    if (verdict.outcome === 'validated') {
      await this.deps.outcomes.finish(record, 'validated', {
        from: WORKING,
        reason: verdict.reason,
        stats: { rows, badRows, badRowSamples: samplesOf(validated), tables: [] },
        badRowsKey: await this.badRowsFile(upload, validated),
      });
      return;
    }
    if (record.phase === 'validating') {
      const { plan } = await this.planOf(tenant, upload, record);
      const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
      const tables = plan.tables.map((table) => `${keyspace}.${table.name}`);
      const changes = { ...RESUMED, phase: 'writing' as const, tables, badRows };
      if (!(await this.deps.ingestions.transition(record, upload.version, WORKING, changes, 'validating'))) return;
      // Tables are made by the one invocation that moved the record on, before any chunk writes: two made at once on
      // two nodes are two tables of one name, and Cassandra keeps one of them, dropping what was written to the other.
      await this.schemaOf(tenant).ensureTables(plan.tables);
      await this.sendWrites(upload, record, states);
      platformLogger.info('file accepted; writing its chunks', { ingestion: upload.ingestionId, chunks: record.chunksTotal, rows, badRows });
    } else if (record.phase === 'writing' && (redelivered || record.status === 'failed')) {
      // A redelivered task: whoever moved the record on may have crashed before making the tables or sending every write
      // task. A redriven one (the record failed): making the tables may be what failed; the record is taken up again
      // first, by one of two redriven copies at most. Duplicate write tasks find their checkpoint.
      if (record.status === 'failed' && !(await this.deps.ingestions.transition(record, upload.version, ['failed'], RESUMED, 'writing'))) return;
      await this.schemaOf(tenant).ensureTables((await this.planOf(tenant, upload, record)).plan.tables);
      await this.sendWrites(upload, record, states);
    }
  }

  private async sendWrites(cutUpload: UploadRef, record: IngestionRecord, states: readonly ChunkState[]): Promise<void> {
    // The write tasks know where a compressed file's text ends (the record has it since the cut finished).
    const upload = cutUpload.compression ? { ...cutUpload, textBytes: record.textBytes } : cutUpload;
    const header = states.length > 1 ? await this.headerOf(upload) : undefined;
    const waiting = states.filter((state) => state.status === 'validated').sort((a, b) => a.index - b.index);
    await this.deps.tasks.send(
      waiting.map((chunk): ChunkedFileTask => ({ kind: 'write', upload, chunk: spanOf(chunk), header: chunk.start > 0 ? header : undefined })),
    );
  }

  /** A CSV file's header extent, found again from the start of the object (write tasks are sent long after the cut). */
  private async headerOf(upload: UploadRef): Promise<CsvHeader | undefined> {
    if (upload.format !== 'csv') return undefined;
    const scan = new ChunkBoundaries('csv', Number.MAX_SAFE_INTEGER);
    const body = await this.deps.text.openFrom(upload, 0);
    try {
      for await (const buffer of body as AsyncIterable<Buffer>) {
        scan.feed(buffer);
        if (scan.csvHeader) return scan.csvHeader;
      }
    } finally {
      body.destroy();
    }
    return scan.csvHeader;
  }

  private async write(
    tenant: Tenant,
    upload: UploadRef,
    record: IngestionRecord,
    chunk: ChunkSpan,
    header: CsvHeader | undefined,
    owner: string,
    delivery: TaskDelivery,
    begun: number,
  ): Promise<void> {
    const version = versionOf(upload);
    const claim = await this.deps.chunks.claimWrite(version, chunk.index, owner, this.deps.leaseMs);
    if (!claim.claimed) {
      if (claim.state.status === 'written') {
        await this.finishIfWritten(upload);
        return;
      }
      // Someone holds the claim: a duplicate of this task, or an invocation that failed before it could give the
      // claim back (Cassandra down). Come back when the claim runs out, using none of the task's tries.
      const now = this.deps.clock.now();
      const seconds = Math.ceil(((claim.state.leaseUntil?.getTime() ?? now) - now) / 1000) + 1;
      throw new DeferredError(`${describeChunk(chunk)} is claimed by another invocation; trying again when its claim runs out`, Math.max(1, seconds));
    }
    const lease = ChunkLease.keep(this.deps.chunks, version, chunk.index, owner, this.deps.leaseMs, describeChunk(chunk));
    try {
      const began = performance.now();
      const { plan } = await this.planOf(tenant, upload, record);
      const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
      await this.schemaOf(tenant).ensureTables(plan.tables);
      const limit = tenant.profile.limits.rowsPerSecond;
      const pacer = limit && this.deps.rates ? new RatePacer(this.deps.rates, tenant.id, 'rows', limit, begun + this.deps.writeDeadlineMs) : undefined;
      const writer = new RowWriter(this.deps.cassandra, keyspace, plan.tables, {
        concurrency: this.deps.writeConcurrency,
        ...(pacer && limit ? { pace: pacer.pace, bufferedRows: pacedBufferRows(limit) } : {}),
      });
      // Held back by the tenant's rowsPerSecond, a chunk may take longer than an invocation: the writer stops feeding
      // rows once its time for writing is spent (having fed at least one), flushes what it fed, saves how many rows
      // (in the chunk's order) are written, and hands the task back to wait (DeferredError: no try used); the next
      // try reads the chunk's rows again and writes from there. Should a wait still run past the deadline, the pacer throws
      // the DeferredError itself and the next try starts from the last saved point (rows are upserts: written twice,
      // they are one row).
      const resumeRows = claim.state.resumeRows;
      const stopAt = begun + this.deps.writeBudgetMs;
      const feed: RowFeedOptions = { from: resumeRows, stopAt: pacer ? stopAt : undefined, clock: this.deps.clock, beforeWrite: () => lease.assertHeld() };
      let rows: number;
      try {
        rows = await this.feedChunk(upload, chunk, header, plan, claim.state.keptRowParts, writer, feed);
        await writer.flush();
      } catch (error) {
        if (!(error instanceof WriteTimeSpent)) throw error;
        await writer.flush();
        lease.assertHeld();
        const rateWaitMs = claim.state.rateWaitMs + (pacer?.waitedMs ?? 0);
        await this.deps.chunks.paused(version, chunk.index, { resumeRows: error.rowsFed, rateWaitMs });
        platformLogger.info("chunk paused for its tenant's share", {
          ingestion: upload.ingestionId,
          chunk: chunk.index,
          tenant: tenant.id,
          kind: 'rows',
          rowsWritten: error.rowsFed,
          waitedSeconds: Math.round(rateWaitMs / 100) / 10,
        });
        throw new DeferredError(
          `${describeChunk(chunk)} is written up to row ${error.rowsFed}; the rest waits for tenant ${tenant.id}'s share of limits.rowsPerSecond (${limit})`,
          1,
        );
      }
      // Only the lease's holder checkpoints the chunk: a writer that lost it leaves the chunk to the one that took it.
      lease.assertHeld();
      const rateWaitMs = claim.state.rateWaitMs + (pacer?.waitedMs ?? 0);
      await this.deps.chunks.written(version, chunk.index, rows, performance.now() - began, rateWaitMs);
      if (pacer && pacer.waitedMs > 0) {
        platformLogger.info("chunk waited for its tenant's share", {
          ingestion: upload.ingestionId,
          chunk: chunk.index,
          tenant: tenant.id,
          kind: 'rows',
          waitedSeconds: Math.round(pacer.waitedMs / 100) / 10,
        });
      }
      platformLogger.debug('chunk written', {
        ingestion: upload.ingestionId,
        chunk: chunk.index,
        rows,
        attempt: claim.state.writeAttempts,
        receive: delivery.receiveCount,
      });
    } finally {
      lease.stop();
    }
    await this.finishIfWritten(upload);
  }

  /**
   * Feeds a chunk's rows to its writer in the chunk's order (through `rowFeed`, which skips those an earlier try wrote
   * and stops a paced writer in time): the rows its validate pass kept, or, where it kept none (a chunk validated
   * before rows were kept), kept them for other tables (the app changed its tables since) or they are gone (expired),
   * the chunk read, parsed and mapped again. Returns how many rows the chunk has.
   */
  private async feedChunk(
    upload: UploadRef,
    chunk: ChunkSpan,
    header: CsvHeader | undefined,
    plan: BatchIngestPlan,
    keptRowParts: number | undefined,
    writer: RowWriter,
    feed: RowFeedOptions,
  ): Promise<number> {
    const kept = keptRowParts === undefined ? undefined : await this.deps.validatedRows.open(upload, chunk.index, keptRowParts, writer.values);
    if (!kept) {
      // Checked as the validate pass checked them, so that the rows it counted bad are skipped here too.
      const checks = { format: upload.format, plan, maxBadRows: Number.POSITIVE_INFINITY, rowKeeper: rowChecker(writer.values) };
      return (await scanSourceRecords(await this.chunkBytes(upload, chunk, header), { ...checks, sink: rowFeed(writer, feed) })).rows;
    }
    const sink = rowFeed({ write: (rows: readonly ValuedRow[]) => writer.writeValued(rows) }, feed);
    let rows = 0;
    for await (const batch of kept) {
      await sink(batch);
      rows += batch.length;
    }
    return rows;
  }

  /** Once every chunk is written: the ingestion finishes (once); until then, the record shows the rows written so far. */
  private async finishIfWritten(upload: UploadRef): Promise<void> {
    const record = await this.deps.ingestions.get(upload.tenant, upload.ingestionId);
    if (!record || record.version !== upload.version) return;
    if (!WORKING.includes(record.status)) {
      await this.deps.outcomes.ensureMoved(record);
      return;
    }
    const states = await this.deps.chunks.list(versionOf(upload));
    const rows = states.reduce((sum, state) => sum + state.rowsWritten, 0);
    if (record.chunksTotal === undefined || states.filter((state) => state.status === 'written').length < record.chunksTotal) {
      // Conditional, so that a late progress report never overwrites the finished record.
      await this.deps.ingestions.transition(record, upload.version, WORKING, { rows });
      return;
    }
    const badRows = states.reduce((sum, state) => sum + state.badRows, 0);
    await this.deps.outcomes.finish(record, 'ingested', {
      from: WORKING,
      reason: ingestedReason(badRows),
      stats: { rows, badRows, badRowSamples: samplesOf(states), tables: record.tables },
      badRowsKey: await this.badRowsFile(upload, states),
    });
  }

  /** The chunks' bad rows joined into the ingestion's bad-rows files, when it has any. */
  private async badRowsFile(upload: UploadRef, states: readonly ChunkState[]): Promise<string | undefined> {
    const withBadRows = states.filter((state) => state.badRows > 0).map((state) => state.index);
    if (withBadRows.length === 0) return undefined;
    const sample = await readSample(this.deps.text, upload);
    return this.deps.badRows.combine(upload, withBadRows, Object.keys(sample[0]?.fields ?? {}));
  }

  /** A task was dead-lettered after its last try: the chunk and the record say so, naming every chunk that gave up. */
  async gaveUp(record: IngestionRecord, task: ChunkedFileTask, error: unknown, tries: number): Promise<void> {
    const version = versionOf(task.upload);
    const message = error instanceof Error ? error.message : String(error);
    const states = await this.deps.chunks.list(version);
    const ownChunk = task.kind === 'validate' || task.kind === 'write' ? task.chunk.index : undefined;
    // A validate task whose chunk is checkpointed failed after validating it, in the decision on the file (making its
    // tables, say): the chunk is sound, and the redriven task takes the decision again without validating it again.
    const decided = task.kind === 'validate' && states.some((state) => state.index === ownChunk && state.status === 'validated');
    const what =
      task.kind === 'plan'
        ? `cutting the file from byte ${task.state.offset}`
        : task.kind === 'range'
          ? `scanning ${describeRange(task.range, task.upload.size)} of the file`
          : decided
            ? 'deciding on the file once its chunks were validated'
            : `${task.kind === 'write' ? 'writing' : 'validating'} ${describeChunk(task.chunk, record.chunksTotal)}`;
    const own = `${what} failed ${tries} times: ${message}`;
    const failedChunk = decided ? undefined : ownChunk;
    if (failedChunk !== undefined) await this.deps.chunks.failed(version, failedChunk, own);
    // Every chunk that gave up, by its own reason (the listing as it is once this task's chunk failed), and this task's
    // failure when it is not a chunk's.
    const failed = states
      .map((state) => (state.index === failedChunk ? { ...state, status: 'failed' as const, reason: own } : state))
      .filter((state) => state.status === 'failed');
    const named = [...failed.map((state) => state.reason), ...(failedChunk === undefined ? [own] : [])].join('; ');
    const reason = `${named}; the object stays in incoming/ and the task is in the chunk dead-letter queue: redrive it once the cause is fixed`;
    platformLogger.error('chunk gave up', { ingestion: record.ingestionId, task: task.kind, reason, error });
    if (!(await this.deps.outcomes.failed(record, reason))) {
      await this.deps.ingestions.update(record, { reason });
    }
  }
}

function spanOf(state: ChunkState): ChunkSpan {
  return { index: state.index, start: state.start, end: state.end, positionOffset: state.positionOffset };
}
