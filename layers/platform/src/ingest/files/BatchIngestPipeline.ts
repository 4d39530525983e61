import type { BatchIngestDependencies } from './BatchIngestDependencies';
import { IngestionOutcomes } from './IngestionOutcomes';
import type { IngestionRecord } from './IngestionStore';
import { ObjectIntake, type ObjectCreated } from './ObjectIntake';

/**
 * Batch ingestion's intake, on the notification queue all tenants share: an
 * uploaded object is taken in ({@link ObjectIntake}: its upload grant, the
 * tenant's profile, the daily quota) and handed to its tenant's chunk queue
 * as a `file` task, where the rest of its ingestion happens, whole or in
 * chunks ({@link FileTasks}).
 *
 * @example
 * await pipeline.takeIn({ key, size, versionId });
 */
export class BatchIngestPipeline {
  private readonly outcomes: IngestionOutcomes;
  private readonly intake: ObjectIntake;
  constructor(
    private readonly deps: Pick<
      BatchIngestDependencies,
      'bucket' | 'registry' | 'batches' | 'grants' | 'usage' | 'ingestions' | 'tasks' | 'chunkSize' | 'clock' | 'onFinished'
    >,
  ) {
    this.outcomes = new IngestionOutcomes(deps.bucket, deps.ingestions, deps.clock, deps.onFinished);
    this.intake = new ObjectIntake({ ...deps, outcomes: this.outcomes });
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
}
