import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformConfig } from '../layers/platform/src/config/PlatformConfig';
import { decodeChunkTask } from '../layers/platform/src/ingest/chunks/ChunkTask';
import { platformLogger } from '../layers/platform/src/logging/platformLogger';
import { platform } from '../layers/platform/src/platform';
import { createSqsClient } from '../layers/platform/src/storage/awsClients';
import { BATCH_INGEST_MAX_RECEIVE_COUNT } from '../layers/platform/src/topology/Topology';
import { retryLater } from './sqs/retryLater';

const sqs = createSqsClient(platformConfig());

/** Retries come after 10 s, then 20 s, ...; after the last try, at once, so SQS dead-letters it. */
const retryDelay = (receiveCount: number): number => (receiveCount >= BATCH_INGEST_MAX_RECEIVE_COUNT ? 0 : Math.min(900, 10 * 2 ** (receiveCount - 1)));

/**
 * The batch-chunk function: the tasks of files ingested in chunks (cut the
 * file further, validate a chunk, write a chunk), one per invocation, from the
 * chunk queue. A task that fails is handed back to SQS (partial batch failure)
 * and retried alone; after the last try it is dead-lettered and its ingestion
 * record says which chunk failed and why.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const failed: SQSRecord[] = [];
  for (const record of event.Records) {
    const task = decodeChunkTask(record.body);
    if (!task) {
      platformLogger.error('not a chunk task; dropped', { messageId: record.messageId, body: record.body.slice(0, 200) });
      continue;
    }
    try {
      const { batchIngest } = await platform();
      const receiveCount = Number(record.attributes.ApproximateReceiveCount ?? 1);
      await batchIngest.runChunkTask(task, { receiveCount, maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT });
    } catch (error) {
      platformLogger.error('chunk task will be retried', { messageId: record.messageId, task: task.kind, error: (error as Error).message });
      failed.push(record);
    }
  }
  return { batchItemFailures: await retryLater(sqs, failed, retryDelay) };
});
