import { objectsCreated, platform, tenantOfNotification } from '../layers/platform/src';
import { BATCH_HAND_BACK } from './sqs/batchHandBack';
import { sqsHandler } from './sqs/sqsHandler';

/**
 * The batch-ingest function: S3 ObjectCreated notifications for
 * `tenants/*\/incoming/`, delivered through SQS, up to ten per invocation.
 * Each tenant's uploads go, in the order they came, to its own chunk queue
 * (one send per tenant, the tenants' at once), where the batch-chunk function
 * takes each in and ingests it in its tenant's share. A tenant's notifications
 * that fail are handed back to SQS (partial batch failure): an outage (SQS,
 * Cassandra down) is waited out for at least 15 minutes without using up their
 * tries; any other error is retried and dead-lettered with the reason after the
 * last try.
 */
export const handler = sqsHandler(
  {
    groupOf: (message) => tenantOfNotification(message.body) ?? '',
    handle: async (_tenant, messages) => {
      await (await platform()).batchIngest.dispatch(messages.flatMap((message) => objectsCreated(message.body)));
      return [];
    },
  },
  {
    ...BATCH_HAND_BACK,
    what: 'batch ingest',
    onDeadLetter: async (message, error) => {
      const { batchIngest } = await platform();
      for (const object of objectsCreated(message.body)) await batchIngest.notificationDeadLettered(object, error);
    },
  },
);
