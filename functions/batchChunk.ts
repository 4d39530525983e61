import { decodeChunkTask, platform, platformLogger } from '../layers/platform/src';
import { BATCH_HAND_BACK } from './sqs/batchHandBack';
import { receiveCountOf } from './sqs/handBack';
import { sqsHandler } from './sqs/sqsHandler';

/**
 * The batch-chunk function: the tenants' batch work (a file taken in, to
 * ingest whole or to cut into chunks; cut the file further, validate a chunk,
 * write a chunk), one task per invocation, from the tenants' chunk queues. A
 * task that fails is handed back to SQS (partial batch failure) and retried
 * alone: an outage is waited out without using up its tries; after the last
 * try of any other error it is dead-lettered with the reason, and its
 * ingestion record says which chunk failed and why.
 */
export const handler = sqsHandler(
  async (message) => {
    const task = decodeChunkTask(message.body);
    if (!task) {
      platformLogger.error('not a chunk task; dropped', { messageId: message.messageId, body: message.body.slice(0, 200) });
      return;
    }
    const { fileTasks } = await platform();
    await fileTasks.run(task, { receiveCount: receiveCountOf(message) });
  },
  {
    ...BATCH_HAND_BACK,
    what: 'chunk task',
    onDeadLetter: async (message, error, tries) => {
      const task = decodeChunkTask(message.body);
      if (task) await (await platform()).fileTasks.deadLettered(task, error, tries);
    },
  },
);
