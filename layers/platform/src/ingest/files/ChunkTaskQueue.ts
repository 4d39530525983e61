import { GetQueueUrlCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ServiceUnavailableError } from '../../errors';
import { encodeChunkTask, tenantOfTask, type ChunkTask } from './ChunkTask';

/** SQS takes at most 10 messages per batch request. */
const PER_REQUEST = 10;

/**
 * The tenants' chunk queues: where a file's tasks go (see {@link FileTasks}),
 * each into its tenant's own queue (see `chunkEventSources`: the tenants share
 * the chunk invocations fairly, each up to its limit).
 *
 * @example
 * await queue.send(chunks.map((chunk) => ({ kind: 'validate', upload, chunk, header })));
 */
export class ChunkTaskQueue {
  constructor(
    private readonly sqs: SQSClient,
    /** The queue of a tenant's chunk tasks, by tenant id. */
    private readonly queueOf: (tenant: string) => string,
    /** A queue's URL by name (the platform's one cache of them, where the caller has it). */
    private readonly queueUrl: (name: string) => Promise<string> = (name) =>
      sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((reply) => reply.QueueUrl as string),
  ) {}

  /** Sends the tasks, `delaySeconds` from now, each to its tenant's queue; throws when SQS did not take them all (a retry sends them again, which is harmless). */
  async send(tasks: readonly ChunkTask[], delaySeconds = 0): Promise<void> {
    const byQueue = new Map<string, ChunkTask[]>();
    for (const task of tasks) {
      const queueName = this.queueOf(tenantOfTask(task));
      byQueue.set(queueName, [...(byQueue.get(queueName) ?? []), task]);
    }
    const requests: Array<Promise<void>> = [];
    for (const [queueName, queued] of byQueue) {
      const QueueUrl = await this.queueUrl(queueName);
      for (let start = 0; start < queued.length; start += PER_REQUEST) {
        const entries = queued.slice(start, start + PER_REQUEST).map((task, index) => ({
          Id: String(index),
          MessageBody: encodeChunkTask(task),
          DelaySeconds: delaySeconds,
        }));
        requests.push(
          this.sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries })).then((reply) => {
            if (reply.Failed?.length) {
              throw new ServiceUnavailableError(`SQS refused ${reply.Failed.length} chunk tasks: ${reply.Failed[0]?.Message ?? reply.Failed[0]?.Code}`);
            }
          }),
        );
        // Bounded: a few requests in flight at a time.
        if (requests.length >= 8) await Promise.all(requests.splice(0));
      }
    }
    await Promise.all(requests);
  }
}
