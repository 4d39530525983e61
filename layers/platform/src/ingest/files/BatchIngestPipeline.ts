import type cassandra from 'cassandra-driver';
import type { Clock } from '../../Clock';
import { KeyspaceSchema } from '../../cassandra/KeyspaceSchema';
import { RowWriter } from '../../cassandra/RowWriter';
import { DeferredError } from '../../errors';
import { platformLogger } from '../../logging/platformLogger';
import { pacedBufferRows, RatePacer } from '../../rates/RatePacer';
import type { TenantRateLimiter } from '../../rates/TenantRateLimiter';
import { WriteTimeSpent } from '../../rates/WriteTimeSpent';
import type { IngestBucket } from '../../storage/IngestBucket';
import type { Tenant } from '../../tenants/Tenant';
import type { TenantRegistry } from '../../tenants/TenantRegistry';
import type { Topology } from '../../topology/Topology';
import type { DailyUsageStore } from '../../uploads/DailyUsageStore';
import type { UploadBatchStore } from '../../uploads/UploadBatchStore';
import type { UploadGrantStore } from '../../uploads/UploadGrantStore';
import type { BatchIngestApp } from '../apps/BatchIngestApp';
import { ChunkedIngestion, type TaskDelivery } from './ChunkedIngestion';
import { ChunkPlanner } from './ChunkPlanner';
import type { ChunkStore } from './ChunkStore';
import type { ChunkTask, UploadRef } from './ChunkTask';
import type { ChunkTaskQueue } from './ChunkTaskQueue';
import { readRecords } from '../records/readRecords';
import { guardText } from '../records/TextGuard';
import { appPlan } from './appPlan';
import { fileVerdict } from './FileVerdict';
import { IngestionOutcomes } from './IngestionOutcomes';
import type { IngestionRecord, IngestionStatus, IngestionStore } from './IngestionStore';
import { inputErrorReason } from './inputErrorReason';
import { ObjectIntake, type ObjectCreated } from './ObjectIntake';
import { BadRowsFiles } from './BadRowsFiles';
import type { StreamTables } from './StreamTables';
import { MAX_KEPT_BAD_ROWS, scanRecords, takeSample } from './scanRecords';

export type { ObjectCreated } from './ObjectIntake';
/** How many times SQS has delivered a message. */
export type Delivery = TaskDelivery;

export interface BatchIngestDependencies {
  readonly bucket: IngestBucket;
  readonly registry: TenantRegistry;
  readonly batches: UploadBatchStore;
  readonly grants: UploadGrantStore;
  readonly usage: DailyUsageStore;
  readonly ingestions: IngestionStore;
  readonly chunks: ChunkStore;
  readonly tasks: ChunkTaskQueue;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly loadApp: (tenant: string) => Promise<BatchIngestApp>;
  /** The tenant's stream tables, which no batch file may take. */
  readonly streamTables: StreamTables;
  readonly writeConcurrency: number;
  /** Files above this size are ingested in chunks of about this size. */
  readonly chunkSize: number;
  /** The batch functions' timeout: budgets and leases are cut from it. */
  readonly timeoutSeconds: number;
  /** The time every decision of the batch path reads (claims, leases, budgets, what records say). */
  readonly clock: Clock;
  /** The tenants' rate limits (`limits.rowsPerSecond`), shared by every invocation; none: unlimited. */
  readonly rates?: TenantRateLimiter | undefined;
  /** Called once per ingestion that ends (ingested, rejected, validated). */
  readonly onFinished?: ((record: IngestionRecord) => Promise<void>) | undefined;
}

/**
 * The batch-ingest manager, for one uploaded object:
 *
 * 1. take it in, from its notification: its upload grant, the tenant's
 *    profile (the server never trusts the client) and the daily quota, charged
 *    with what landed ({@link ObjectIntake}); then hand it to the tenant's
 *    chunk queue as a `file` task, so that tenants share the work fairly;
 * 2. validate every record with the tenant's app, writing nothing; more bad
 *    rows than the profile tolerates, and the whole file is rejected before
 *    any row is written;
 * 3. write its rows with prepared statements and bounded concurrency (upserts
 *    by primary key, so a retry duplicates nothing);
 * 4. record the outcome (the original `server.log`), and move the object to
 *    `ingested/` or `rejected/` ({@link IngestionOutcomes}).
 *
 * A file up to the chunk size does steps 2 to 4 in the invocation that takes
 * its `file` task. A larger one is cut into chunks that are validated, then
 * written, each in an invocation of its own, through the same queue
 * ({@link ChunkedIngestion}).
 *
 * An error of the input (not text, malformed, a conflicting table) rejects
 * the file at once; any other failure is rethrown so SQS delivers the message
 * again, and on the last try the record says `failed` while the object stays
 * in `incoming/`.
 *
 * @example
 * await pipeline.takeIn({ key, size, versionId });
 * await pipeline.runChunkTask(task, { receiveCount: 1 });
 */
export class BatchIngestPipeline {
  private readonly outcomes: IngestionOutcomes;
  private readonly intake: ObjectIntake;
  private readonly chunked: ChunkedIngestion;
  private readonly badRows: BadRowsFiles;
  private readonly writeBudgetMs: number;
  private readonly writeDeadlineMs: number;
  constructor(private readonly deps: BatchIngestDependencies) {
    this.writeBudgetMs = (deps.timeoutSeconds * 1000) / 2;
    this.writeDeadlineMs = (deps.timeoutSeconds * 1000 * 3) / 4;
    this.outcomes = new IngestionOutcomes(deps.bucket, deps.ingestions, deps.clock, deps.onFinished);
    this.badRows = new BadRowsFiles(deps.bucket);
    this.intake = new ObjectIntake({ ...deps, outcomes: this.outcomes });
    this.chunked = new ChunkedIngestion({
      ...deps,
      outcomes: this.outcomes,
      badRows: this.badRows,
      planner: new ChunkPlanner(deps.bucket, deps.chunks, deps.tasks, deps.chunkSize, deps.clock),
      // A writer renews its claim every third of it; a crashed writer's chunk is taken over after it runs out.
      leaseMs: Math.min(60_000, (deps.timeoutSeconds * 1000) / 2),
      planBudgetMs: (deps.timeoutSeconds * 1000) / 3,
      // Held back by its tenant's rowsPerSecond, a writer feeds rows for half the timeout, then flushes and stops; a
      // wait that would end past three quarters of it is not waited (see RatePacer).
      writeBudgetMs: this.writeBudgetMs,
      writeDeadlineMs: this.writeDeadlineMs,
    });
  }

  /**
   * An S3 ObjectCreated notification: takes the object in and hands the file
   * to its tenant's chunk queue, where it waits for its tenant's share of the
   * chunk invocations (a `file` task). Only the intake runs on the shared
   * notification queue, a few reads and writes per file, so one tenant's flood
   * of files delays another tenant's file by no more than their intake.
   */
  async takeIn(object: ObjectCreated): Promise<IngestionRecord | undefined> {
    const intake = await this.intake.take(object);
    if (intake.kind === 'done') return intake.record;
    try {
      await this.deps.tasks.send([{ kind: 'file', upload: intake.upload }]);
    } catch (error) {
      await this.outcomes.attemptFailed(intake.record, error as Error);
      throw error;
    }
    return intake.record;
  }

  /** The notification of an object was dead-lettered after its last try: its record says it failed, and why. */
  async notificationDeadLettered(object: ObjectCreated, error: unknown): Promise<void> {
    const record = await this.intake.recordOf(object);
    if (record) await this.outcomes.gaveUp(record, error, 'the notification is in the dead-letter queue');
  }

  /** A chunk task was dead-lettered after its last try: the record says so, naming the file task or every chunk that gave up. */
  async chunkTaskDeadLettered(task: ChunkTask, error: unknown, receiveCount: number): Promise<void> {
    const record = await this.deps.ingestions.get(task.upload.tenant, task.upload.ingestionId);
    if (!record || record.run !== task.upload.run) return;
    if (task.kind === 'file') await this.outcomes.gaveUp(record, error, "the file's task is in its tenant's chunk dead-letter queue");
    else await this.chunked.gaveUp(record, task, error, receiveCount);
  }

  /** One task of the tenant's chunk queue: a file taken in, or a task of a file ingested in chunks (see {@link ChunkedIngestion}). */
  async runChunkTask(task: ChunkTask, delivery: Delivery): Promise<void> {
    const begun = this.deps.clock.now();
    const { upload } = task;
    const record = await this.deps.ingestions.get(upload.tenant, upload.ingestionId);
    if (!record || record.run !== upload.run) {
      platformLogger.info('chunk task for an ingestion that is gone or was replaced; dropped', { ingestion: upload.ingestionId, task: task.kind });
      return;
    }
    // A failed record's chunks still go on: one chunk gave up, and once it is redriven the file finishes. A file task
    // also runs a record whose last attempt failed (`retrying`): it is that attempt's retry.
    const working: readonly IngestionStatus[] = task.kind === 'file' ? ['processing', 'retrying', 'failed'] : ['processing', 'failed'];
    if (!working.includes(record.status)) {
      await this.outcomes.ensureMoved(record);
      return;
    }
    const tenant = await this.deps.registry.get(upload.tenant);
    if (!tenant) throw new Error(`tenant ${upload.tenant} is not registered any more`);
    // A disabled tenant's chunks wait, using none of their tries, until it is enabled again.
    if (tenant.profile.status !== 'active') throw new DeferredError(`tenant ${upload.tenant} is disabled; its chunks wait until it is enabled`, 60);
    if (task.kind === 'file') {
      await this.ingestFile(tenant, upload, record, begun);
      return;
    }
    try {
      await this.chunked.run(tenant, record, task, delivery, begun);
    } catch (error) {
      const reason = inputErrorReason(error);
      if (!reason) throw error;
      await this.outcomes.finish(record, 'rejected', { reason, from: ['processing', 'failed'] });
    }
  }

  /** A file taken in: ingested whole in this invocation, or cut into chunks; an error of the input rejects it at once. */
  private async ingestFile(tenant: Tenant, upload: UploadRef, taken: IngestionRecord, begun: number): Promise<void> {
    let record = taken;
    if (record.status !== 'processing') {
      // The retry of a failed attempt (or a redriven file task): one more attempt, conditional, so that two deliveries run it once.
      const changes = { status: 'processing' as const, attempts: record.attempts + 1, reason: undefined, finishedAt: undefined };
      if (!(await this.deps.ingestions.transition(record, record.run, [record.status], changes))) return;
      record = { ...record, ...changes };
    }
    try {
      if (upload.size > this.deps.chunkSize) await this.chunked.start(tenant, upload, record, begun);
      else await this.ingestWhole(tenant, upload, record, begun);
    } catch (error) {
      const reason = inputErrorReason(error);
      if (reason) {
        await this.outcomes.finish(record, 'rejected', { reason });
        return;
      }
      await this.outcomes.attemptFailed(record, error as Error);
      throw error;
    }
  }

  /** A file too slow to write whole at its tenant's rowsPerSecond goes on in chunks, which can stop and resume. */
  private async inChunks(tenant: Tenant, upload: UploadRef, record: IngestionRecord, begun: number, rows: number): Promise<IngestionRecord> {
    platformLogger.info("file goes in chunks to wait for its tenant's share", {
      ingestion: upload.ingestionId,
      tenant: tenant.id,
      kind: 'rows',
      rows,
      rowsPerSecond: tenant.profile.limits.rowsPerSecond,
    });
    // The record says it is a chunked one now (planning), as if it had been from the start; conditional, so that a
    // record another invocation moved on is left alone.
    if (!(await this.deps.ingestions.transition(record, record.run, ['processing'], { phase: 'planning' }))) return record;
    await this.chunked.start(tenant, upload, { ...record, phase: 'planning' }, begun);
    return record;
  }

  /** The tenant keyspace's tables, checked against the driver's schema metadata (no state of its own). */
  private schemaOf(tenant: Tenant): KeyspaceSchema {
    return new KeyspaceSchema(this.deps.cassandra, this.deps.topology.tenantKeyspace(tenant.profile));
  }

  /** A file up to the chunk size, in this invocation: read once to validate, once to write. */
  private async ingestWhole(tenant: Tenant, upload: UploadRef, record: IngestionRecord, begun: number): Promise<IngestionRecord> {
    const keyspace = this.deps.topology.tenantKeyspace(tenant.profile);
    const schema = this.schemaOf(tenant);
    const app = await this.deps.loadApp(tenant.id);
    const maxBadRows = tenant.profile.batch.maxBadRows;
    const open = async () => readRecords(guardText(await this.deps.bucket.openRange(upload.key, upload.versionId, 0, upload.size)), upload.format);

    const validating = performance.now();
    const items = await open();
    const { sample, buffered } = await takeSample(items);
    const { plan } = await appPlan(app, upload, sample, schema, this.deps.streamTables);
    const checked = await scanRecords(items, { format: upload.format, plan, maxBadRows, buffered, keepBadRows: MAX_KEPT_BAD_ROWS });
    const badRowsKey = await this.badRows.write(upload, Object.keys(sample[0]?.fields ?? {}), checked.kept);
    const verdict = fileVerdict(checked, { maxBadRows, dryRun: record.dryRun });
    if (verdict.outcome === 'rejected') {
      return this.outcomes.finish(record, 'rejected', {
        reason: verdict.reason,
        stats: { rows: 0, badRows: checked.badRows, badRowSamples: checked.badRowSamples, tables: [] },
        badRowsKey,
      });
    }
    const tables = plan.tables.map((table) => `${keyspace}.${table.name}`);
    if (verdict.outcome === 'validated') {
      return this.outcomes.finish(record, 'validated', {
        reason: verdict.reason,
        stats: { rows: checked.rows, badRows: checked.badRows, badRowSamples: checked.badRowSamples, tables },
        badRowsKey,
      });
    }

    // Held back by the tenant's rowsPerSecond, a file may take longer to write than an invocation has, and a whole
    // file cannot stop half-way and resume: one whose rows cannot be written at the limit in the time left goes in
    // chunks (of one chunk or more), which can; so does one whose writing runs out of time after all (its tenant's
    // other writers took their share): the rows written so far are written again by its chunks, as upserts.
    const limit = tenant.profile.limits.rowsPerSecond;
    const pacer = limit && this.deps.rates ? new RatePacer(this.deps.rates, tenant.id, 'rows', limit, begun + this.writeDeadlineMs) : undefined;
    const stopAt = begun + this.writeBudgetMs;
    if (pacer && limit && this.deps.clock.now() + (checked.rows / limit) * 1000 > stopAt) return this.inChunks(tenant, upload, record, begun, checked.rows);

    const writing = performance.now();
    await schema.ensureTables(plan.tables);
    const writer = new RowWriter(this.deps.cassandra, keyspace, plan.tables, {
      concurrency: this.deps.writeConcurrency,
      ...(pacer && limit ? { pace: pacer.pace, bufferedRows: pacedBufferRows(limit) } : {}),
    });
    let fed = 0;
    let written: Awaited<ReturnType<typeof scanRecords>>;
    try {
      written = await scanRecords(await open(), {
        format: upload.format,
        plan,
        maxBadRows: Number.POSITIVE_INFINITY,
        sink: async (rows) => {
          for (const row of rows) {
            if (pacer && this.deps.clock.now() >= stopAt) throw new WriteTimeSpent(fed);
            await writer.write(row);
            fed += 1;
          }
        },
        // Progress: conditional, so that it never overwrites the finished record. One that fails loses only the count
        // the record shows meanwhile: the next report, or the finished record, says the rows written.
        onProgress: (stats) =>
          void this.deps.ingestions
            .transition(record, record.run, ['processing'], { rows: stats.rows })
            .catch((error: unknown) =>
              platformLogger.warn('progress not recorded; the next report says it', { ingestion: upload.ingestionId, rows: stats.rows, error }),
            ),
      });
      await writer.flush();
    } catch (error) {
      // A wait the pacer would not wait (past the deadline) leaves rows unsent: the chunks write them.
      if (pacer && error instanceof DeferredError) return this.inChunks(tenant, upload, record, begun, checked.rows);
      if (!(error instanceof WriteTimeSpent)) throw error;
      await writer.flush();
      return this.inChunks(tenant, upload, record, begun, checked.rows);
    }
    if (pacer && pacer.waitedMs > 0) {
      platformLogger.info("file waited for its tenant's share", {
        ingestion: upload.ingestionId,
        tenant: tenant.id,
        kind: 'rows',
        waitedSeconds: Math.round(pacer.waitedMs / 100) / 10,
      });
    }
    return this.outcomes.finish(record, 'ingested', {
      reason: verdict.reason,
      stats: { rows: written.rows, badRows: written.badRows, badRowSamples: written.badRowSamples, tables },
      badRowsKey,
      phases: { validateMs: Math.round(writing - validating), writeMs: Math.round(performance.now() - writing) },
    });
  }
}
