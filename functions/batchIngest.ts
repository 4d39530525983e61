import { objectsCreated, platform, tenantOfNotification } from '../layers/platform/src';
import { BATCH_HAND_BACK } from './sqs/batchHandBack';
import { sqsHandler } from './sqs/sqsHandler';

/**
 * The batch-ingest function: S3 ObjectCreated notifications for
 * `tenants/*\/incoming/`, delivered through SQS, up to ten per invocation (the
 * tenants' at once, a tenant's one after the other), each taken in by the
 * platform's batch ingest pipeline and handed to its tenant's chunk queue,
 * where the batch-chunk function ingests the file in its tenant's share. A
 * notification that fails is handed back to SQS (partial batch failure): an
 * outage (Cassandra, S3 down) is waited out for at least 15 minutes without
 * using up the file's tries; an error of the file is retried and dead-lettered
 * with the reason after the last try.
 */
export const handler = sqsHandler(
  async (message) => {
    const { batchIngest } = await platform();
    for (const object of objectsCreated(message.body)) {
      await batchIngest.takeIn(object);
    }
  },
  {
    ...BATCH_HAND_BACK,
    what: 'batch ingest',
    // A tenant's uploads one after the other (their intakes write the tenant's partitions), the tenants' at once.
    inParallelBy: (message) => tenantOfNotification(message.body) ?? '',
    onDeadLetter: async (message, error) => {
      const { batchIngest } = await platform();
      for (const object of objectsCreated(message.body)) await batchIngest.notificationDeadLettered(object, error);
    },
  },
);
