import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformConfig } from '../layers/platform/src/config/PlatformConfig';
import { platformLogger } from '../layers/platform/src/logging/platformLogger';
import { platform } from '../layers/platform/src/platform';
import { createSqsClient } from '../layers/platform/src/storage/awsClients';
import { objectsCreated } from '../layers/platform/src/storage/s3Notifications';
import { BATCH_INGEST_MAX_RECEIVE_COUNT } from '../layers/platform/src/topology/Topology';
import { retryLater } from './sqs/retryLater';

const sqs = createSqsClient(platformConfig());

/** Retries come after 10 s, then 20 s, ...; after the last try, at once, so SQS dead-letters it. */
const retryDelay = (receiveCount: number): number => (receiveCount >= BATCH_INGEST_MAX_RECEIVE_COUNT ? 0 : Math.min(900, 10 * 2 ** (receiveCount - 1)));

/**
 * The batch-ingest function: S3 ObjectCreated notifications for
 * `tenants/*\/incoming/`, delivered through SQS, each ingested by the platform's
 * batch ingest pipeline. A notification that fails is handed back to SQS
 * (partial batch failure) and dead-lettered after the last try.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const failed: SQSRecord[] = [];
  for (const record of event.Records) {
    try {
      const { batchIngest } = await platform();
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
      for (const object of objectsCreated(record.body)) {
        await batchIngest.ingest(object, { receiveCount, maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT });
      }
    } catch (error) {
      platformLogger.error('batch ingest will be retried', { messageId: record.messageId, error: (error as Error).message });
      failed.push(record);
    }
  }
  return { batchItemFailures: await retryLater(sqs, failed, retryDelay) };
});
