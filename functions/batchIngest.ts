import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BATCH_INGEST_MAX_RECEIVE_COUNT, createSqsClient, objectsCreated, platform, platformConfig, platformLogger } from '../layers/platform/src';
import { lambdaLogContext } from './lambdaLogContext';
import { handBack, type HandBackFailure } from './sqs/handBack';

const sqs = createSqsClient(platformConfig());

/** After an error of the file, retries come after 10 s, then 20 s, ...; the last try dead-letters it with the reason. */
const retryDelay = (receiveCount: number): number => Math.min(900, 10 * 2 ** (receiveCount - 1));

/**
 * The batch-ingest function: S3 ObjectCreated notifications for
 * `tenants/*\/incoming/`, delivered through SQS, each taken in by the
 * platform's batch ingest pipeline and handed to its tenant's chunk queue,
 * where the batch-chunk function ingests it in its tenant's share. A notification that fails is handed back to SQS
 * (partial batch failure): an outage (Cassandra, S3 down) is waited out for at
 * least 15 minutes without using up the file's tries; an error of the file is
 * retried and dead-lettered with the reason after the last try.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent) => {
  const failures: HandBackFailure[] = [];
  for (const record of event.Records) {
    try {
      const { batchIngest } = await platform();
      for (const object of objectsCreated(record.body)) {
        await batchIngest.takeIn(object);
      }
    } catch (error) {
      platformLogger.error('batch ingest will be retried', { messageId: record.messageId, error });
      failures.push({ record, error });
    }
  }
  return {
    batchItemFailures: await handBack(sqs, failures, {
      maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT,
      retryDelaySeconds: retryDelay,
      // Waiting out an outage: back at most 30 s after the service is, for a file that was half written.
      outage: { maxDelaySeconds: 30 },
      onDeadLetter: async (record, error) => {
        const { batchIngest } = await platform();
        for (const object of objectsCreated(record.body)) await batchIngest.notificationDeadLettered(object, error);
      },
    }),
  };
}).use(lambdaLogContext);
