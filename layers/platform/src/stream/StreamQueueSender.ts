import { GetQueueUrlCommand, SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import type { Topology } from '../topology/Topology';

/** A message on its way into a tenant's stream queue. */
export interface OutgoingStreamMessage {
  readonly messageId: string;
  readonly publishedAt: Date;
  readonly body: string;
}

export interface SendOutcome {
  readonly sent: number;
  readonly failed: ReadonlyArray<{ readonly messageId: string; readonly reason: string }>;
}

/** SQS message attribute names the stream-ingest function reads. */
export const MESSAGE_ID_ATTRIBUTE = 'messageId';
export const PUBLISHED_AT_ATTRIBUTE = 'publishedAt';

/** SQS limits: 10 entries and 256 KiB per SendMessageBatch. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/**
 * Sends messages to a tenant's stream queue with SendMessageBatch, keeping
 * each batch within SQS's limits, and reports per message what SQS refused.
 * Used by the HTTP queue endpoint and by the AMQP bridge.
 *
 * @example
 * const outcome = await sender.send('zoo', [{ messageId, publishedAt: new Date(), body: '{"t":1}' }]);
 */
export class StreamQueueSender {
  private readonly urls = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly topology: Topology,
  ) {}

  queueUrl(tenant: string): Promise<string> {
    return this.queueUrlByName(this.topology.streamQueue(tenant).name);
  }

  /** A queue's URL by name, looked up once. */
  queueUrlByName(name: string): Promise<string> {
    let url = this.urls.get(name);
    if (!url) {
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((reply) => reply.QueueUrl as string);
      url.catch(() => this.urls.delete(name));
      this.urls.set(name, url);
    }
    return url;
  }

  async send(tenant: string, messages: readonly OutgoingStreamMessage[]): Promise<SendOutcome> {
    const queueUrl = await this.queueUrl(tenant);
    const failed: Array<{ messageId: string; reason: string }> = [];
    let sent = 0;
    const batches: OutgoingStreamMessage[][] = [];
    let current: OutgoingStreamMessage[] = [];
    let currentBytes = 0;
    for (const message of messages) {
      const bytes = Buffer.byteLength(message.body) + 128;
      if (current.length === MAX_ENTRIES || (current.length && currentBytes + bytes > MAX_BATCH_BYTES)) {
        batches.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push(message);
      currentBytes += bytes;
    }
    if (current.length) batches.push(current);

    await Promise.all(
      batches.map(async (batch) => {
        const entries: SendMessageBatchRequestEntry[] = batch.map((message, index) => ({
          Id: String(index),
          MessageBody: message.body,
          MessageAttributes: {
            [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: message.messageId },
            [PUBLISHED_AT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(message.publishedAt.getTime()) },
          },
        }));
        const reply = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
        sent += reply.Successful?.length ?? 0;
        for (const failure of reply.Failed ?? []) {
          const message = batch[Number(failure.Id)];
          failed.push({ messageId: message?.messageId ?? '?', reason: `${failure.Code ?? 'error'}: ${failure.Message ?? 'refused by SQS'}` });
        }
      }),
    );
    return { sent, failed };
  }
}
