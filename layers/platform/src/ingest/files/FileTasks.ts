import { DeferredError } from '../../errors';
import { platformLogger } from '../../logging/platformLogger';
import type { Tenant } from '../../tenants/Tenant';
import { BadRowsFiles } from './BadRowsFiles';
import type { BatchIngestDependencies } from './BatchIngestDependencies';
import { ChunkedIngestion } from './ChunkedIngestion';
import { ChunkCutter } from './ChunkCutter';
import type { ChunkTask, FileTask, TaskDelivery } from './ChunkTask';
import { IngestionOutcomes } from './IngestionOutcomes';
import { inputErrorReason } from './inputErrorReason';
import { ObjectIntake } from './ObjectIntake';
import { RangePlanner } from './RangePlanner';
import { UploadText } from './UploadText';
import { ValidatedRows } from './ValidatedRows';
import { WholeFileIngestion } from './WholeFileIngestion';

/**
 * The tasks of a tenant's chunk queue, one per invocation of the batch-chunk
 * function (see {@link ChunkTask}): the queue is the tenant's own, so that
 * tenants share the chunk invocations fairly, whole files too.
 *
 * - a `file` task (an upload, as its notification named it): taken in, then
 *   ingested whole ({@link WholeFileIngestion}) up to the chunk size, or cut
 *   into chunks ({@link ChunkedIngestion});
 * - every other task is one step of a file in chunks: cut further, scan a
 *   range of it, validate a chunk, write a chunk.
 *
 * A task whose ingestion is gone, replaced by another version or finished does
 * nothing; a disabled tenant's tasks wait. An error of the input (not text,
 * malformed, a conflicting table) rejects the file at once; any other failure
 * is rethrown so SQS delivers the task again, and on the last try the record
 * says `failed` while the object stays in `incoming/`.
 *
 * @example
 * await fileTasks.run(task, { receiveCount: 1 });
 */
export class FileTasks {
  private readonly outcomes: IngestionOutcomes;
  private readonly chunked: ChunkedIngestion;
  private readonly whole: WholeFileIngestion;
  private readonly intake: ObjectIntake;
  constructor(private readonly deps: BatchIngestDependencies) {
    const timeoutMs = deps.timeoutSeconds * 1000;
    // Held back by its tenant's rowsPerSecond, a writer feeds rows for half the timeout, then flushes and stops; a
    // wait that would end past three quarters of it is not waited (see RatePacer).
    const writeBudgetMs = timeoutMs / 2;
    const writeDeadlineMs = (timeoutMs * 3) / 4;
    this.outcomes = new IngestionOutcomes(deps.bucket, deps.ingestions, deps.clock, deps.onFinished);
    const badRows = new BadRowsFiles(deps.bucket);
    const text = new UploadText(deps.bucket);
    this.chunked = new ChunkedIngestion({
      ...deps,
      text,
      outcomes: this.outcomes,
      badRows,
      validatedRows: new ValidatedRows(deps.bucket),
      cutter: new ChunkCutter(text, deps.chunks, deps.tasks, deps.chunkSize, deps.clock),
      planner: new RangePlanner({ ...deps, text, ranges: deps.planRanges, rangeChunks: deps.planRangeChunks }),
      // A writer renews its claim every third of it; a crashed writer's chunk is taken over after it runs out.
      leaseMs: Math.min(60_000, timeoutMs / 2),
      cutBudgetMs: timeoutMs / 3,
      writeBudgetMs,
      writeDeadlineMs,
    });
    this.intake = new ObjectIntake({ ...deps, outcomes: this.outcomes });
    this.whole = new WholeFileIngestion({ ...deps, text, outcomes: this.outcomes, badRows, chunked: this.chunked, writeBudgetMs, writeDeadlineMs });
  }

  /** One task of the tenant's chunk queue: an upload to take in and ingest, or a task of a file ingested in chunks (see {@link ChunkedIngestion}). */
  async run(task: ChunkTask, delivery: TaskDelivery): Promise<void> {
    const begun = this.deps.clock.now();
    if (task.kind === 'file') {
      await this.ingestFile(task, begun);
      return;
    }
    const { upload } = task;
    const record = await this.deps.ingestions.get(upload.tenant, upload.ingestionId);
    if (!record || record.version !== upload.version) {
      platformLogger.info('chunk task for an ingestion that is gone or was replaced; dropped', { ingestion: upload.ingestionId, task: task.kind });
      return;
    }
    // A failed record's chunks still go on: one chunk gave up, and once it is redriven the file finishes.
    if (record.status !== 'processing' && record.status !== 'failed') {
      await this.outcomes.ensureMoved(record);
      return;
    }
    const tenant = await this.deps.registry.get(upload.tenant);
    if (!tenant) throw new Error(`tenant ${upload.tenant} is not registered any more`);
    waitWhileDisabled(tenant);
    try {
      await this.chunked.run(tenant, record, task, delivery, begun);
    } catch (error) {
      const reason = inputErrorReason(error);
      if (!reason) throw error;
      await this.outcomes.finish(record, 'rejected', { reason, from: ['processing', 'failed'] });
    }
  }

  /**
   * An upload, in its tenant's turn: taken in ({@link ObjectIntake}: a
   * redelivery or a redrive is the file's next attempt, a file done is left
   * alone), then ingested whole in this invocation or cut into chunks. An
   * error of the input rejects it at once; any other error is the attempt's.
   */
  private async ingestFile(task: FileTask, begun: number): Promise<void> {
    // A disabled tenant's uploads wait with its chunks; the upload of a tenant that is gone is refused by the intake.
    const served = await this.deps.registry.get(task.tenant);
    if (served) waitWhileDisabled(served);
    const intake = await this.intake.take(task.object);
    if (intake.kind === 'done') return;
    const { tenant, upload, record } = intake;
    try {
      if (upload.size > this.deps.chunkSize) await this.chunked.start(tenant, upload, record, begun);
      else await this.whole.ingest(tenant, upload, record, begun);
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

  /** A chunk task was dead-lettered after its last try: the record says so, naming the file task or every chunk that gave up. */
  async deadLettered(task: ChunkTask, error: unknown, receiveCount: number): Promise<void> {
    if (task.kind === 'file') {
      const record = await this.intake.recordOf(task.object);
      if (record) await this.outcomes.gaveUp(record, error, "the file's task is in its tenant's chunk dead-letter queue");
      return;
    }
    const record = await this.deps.ingestions.get(task.upload.tenant, task.upload.ingestionId);
    if (record?.version === task.upload.version) await this.chunked.gaveUp(record, task, error, receiveCount);
  }
}

/** A disabled tenant's tasks wait, using none of their tries, until it is enabled again. */
function waitWhileDisabled(tenant: Tenant): void {
  if (tenant.profile.status !== 'active') throw new DeferredError(`tenant ${tenant.id} is disabled; its tasks wait until it is enabled`, 60);
}
