import { GetQueueUrlCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ServiceUnavailableError } from '../../errors';
import { encodeChunkTask, type ChunkTask } from './ChunkTask';

/** SQS takes at most 10 messages per batch request. */
const PER_REQUEST = 10;

/**
 * The chunk queue: where the batch-ingest function fans a large file's work
 * out to as many chunk invocations as the queue's event source runs at once.
 *
 * @example
 * await queue.send(chunks.map((chunk) => ({ kind: 'validate', upload, chunk, header })));
 */
export class ChunkTaskQueue {
  private url: Promise<string> | undefined;

  constructor(
    private readonly sqs: SQSClient,
    readonly queueName: string,
  ) {}

  private queueUrl(): Promise<string> {
    this.url ??= this.sqs.send(new GetQueueUrlCommand({ QueueName: this.queueName })).then(
      (reply) => reply.QueueUrl as string,
      (error: Error) => {
        this.url = undefined;
        throw error;
      },
    );
    return this.url;
  }

  /** Sends the tasks, `delaySeconds` from now; throws when SQS did not take them all (a retry sends them again, which is harmless). */
  async send(tasks: readonly ChunkTask[], delaySeconds = 0): Promise<void> {
    const QueueUrl = await this.queueUrl();
    const requests: Array<Promise<void>> = [];
    for (let start = 0; start < tasks.length; start += PER_REQUEST) {
      const entries = tasks.slice(start, start + PER_REQUEST).map((task, index) => ({
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
    await Promise.all(requests);
  }
}
