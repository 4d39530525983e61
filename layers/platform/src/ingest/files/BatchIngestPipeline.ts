import { platformLogger } from '../../logging/platformLogger';
import { parseObjectKey } from '../../storage/objectKeys';
import type { BatchIngestDependencies } from './BatchIngestDependencies';
import type { FileTask } from './ChunkTask';
import { IngestionOutcomes } from './IngestionOutcomes';
import { ObjectIntake, type ObjectCreated } from './ObjectIntake';

/**
 * Batch ingestion's first step, on the notification queue all tenants share:
 * each uploaded object goes to its tenant's chunk queue as a `file` task,
 * where it is taken in and ingested in its tenant's share of the chunk
 * invocations ({@link FileTasks}). Nothing but that hand-over runs on the
 * shared queue (one send per tenant per invocation, no Cassandra write), so a
 * tenant's flood of uploads delays another tenant's upload by no more than
 * the hand-over of the notifications ahead of it.
 *
 * An object that is not a tenant's upload is ignored. The upload of a tenant
 * that is not served (not registered, removed or disabled) has no share to
 * wait for: it is taken in here, where the intake refuses it with its reason.
 *
 * @example
 * await pipeline.dispatch([{ key, size, versionId }]);
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

  /** The objects of one notification: each to its tenant's chunk queue; throws when SQS did not take them (the notification is delivered again). */
  async dispatch(objects: readonly ObjectCreated[]): Promise<void> {
    const files: FileTask[] = [];
    for (const object of objects) {
      const key = parseObjectKey(object.key);
      if (!key || key.stage !== 'incoming') {
        platformLogger.debug('not an upload under tenants/<tenant>/incoming/<batch>/<file>; ignored', { object: object.key });
        continue;
      }
      const tenant = await this.deps.registry.get(key.tenant);
      if (tenant?.profile.status === 'active') files.push({ kind: 'file', tenant: key.tenant, object });
      else await this.intake.take(object);
    }
    await this.deps.tasks.send(files);
  }

  /** The notification of an object was dead-lettered after its last try: its record, if it has one, says it failed, and why. */
  async notificationDeadLettered(object: ObjectCreated, error: unknown): Promise<void> {
    const record = await this.intake.recordOf(object);
    if (record) await this.outcomes.gaveUp(record, error, 'the notification is in the dead-letter queue');
  }
}
