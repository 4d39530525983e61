import { objectsCreated, platform } from '../layers/platform/src';
import { BATCH_HAND_BACK } from './sqs/batchHandBack';
import { sqsHandler } from './sqs/sqsHandler';

/**
 * The batch-ingest function: S3 ObjectCreated notifications for
 * `tenants/*\/incoming/`, delivered through SQS, up to ten per invocation,
 * each taken in at once by the platform's batch ingest pipeline and handed to
 * its tenant's chunk queue, where the batch-chunk function ingests the file in
 * its tenant's share. A notification that fails is handed back to SQS
 * (partial batch failure): an outage (Cassandra, S3 down) is waited out for at
 * least 15 minutes without using up the file's tries; an error of the file is
 * retried and dead-lettered with the reason after the last try.
 */
export const handler = sqsHandler(
  async (record) => {
    const { batchIngest } = await platform();
    for (const object of objectsCreated(record.body)) {
      await batchIngest.takeIn(object);
    }
  },
  {
    ...BATCH_HAND_BACK,
    what: 'batch ingest',
    inParallel: true,
    onDeadLetter: async (record, error) => {
      const { batchIngest } = await platform();
      for (const object of objectsCreated(record.body)) await batchIngest.notificationDeadLettered(object, error);
    },
  },
);
