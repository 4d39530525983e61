import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { BATCH_INGEST_MAX_RECEIVE_COUNT, createSqsClient, decodeChunkTask, platform, platformConfig, platformLogger } from '../layers/platform/src';
import { lambdaLogContext } from './lambdaLogContext';
import { handBack, receiveCountOf, type HandBackFailure } from './sqs/handBack';

const sqs = createSqsClient(platformConfig());

/** After an error of the chunk, retries come after 10 s, then 20 s, ...; the last try dead-letters it with the reason. */
const retryDelay = (receiveCount: number): number => Math.min(900, 10 * 2 ** (receiveCount - 1));

/**
 * The batch-chunk function: the tenants' batch work (a file taken in, to
 * ingest whole or to plan in chunks; cut the file further, validate a chunk,
 * write a chunk), one task per invocation, from the tenants' chunk queues. A task that fails is handed back to SQS (partial batch
 * failure) and retried alone: an outage is waited out without using up its
 * tries; after the last try of any other error it is dead-lettered with the
 * reason, and its ingestion record says which chunk failed and why.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent) => {
  const failures: HandBackFailure[] = [];
  for (const record of event.Records) {
    const task = decodeChunkTask(record.body);
    if (!task) {
      platformLogger.error('not a chunk task; dropped', { messageId: record.messageId, body: record.body.slice(0, 200) });
      continue;
    }
    try {
      const { batchIngest } = await platform();
      await batchIngest.runChunkTask(task, { receiveCount: receiveCountOf(record) });
    } catch (error) {
      platformLogger.error('chunk task will be retried', { messageId: record.messageId, task: task.kind, error });
      failures.push({ record, error });
    }
  }
  return {
    batchItemFailures: await handBack(sqs, failures, {
      maxReceiveCount: BATCH_INGEST_MAX_RECEIVE_COUNT,
      retryDelaySeconds: retryDelay,
      // Waiting out an outage: back at most 30 s after the service is, for a file that was half written.
      outage: { maxDelaySeconds: 30 },
      onDeadLetter: async (record, error, tries) => {
        const task = decodeChunkTask(record.body);
        if (task) await (await platform()).batchIngest.chunkTaskDeadLettered(task, error, tries);
      },
    }),
  };
}).use(lambdaLogContext);
