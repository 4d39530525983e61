import { GetQueueUrlCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { Topology } from '../topology/Topology';
import { encodePacks, PACK_FORMAT, type PackedMessage } from './StreamPack';

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

/** SQS message attributes of a pack. */
export const FORMAT_ATTRIBUTE = 'format';
export const MESSAGE_ID_ATTRIBUTE = 'messageId';
export const PUBLISHED_AT_ATTRIBUTE = 'publishedAt';
export const REASON_ATTRIBUTE = 'reason';

/**
 * Puts messages on a tenant's stream queue, packed into as few SQS messages as
 * SQS's size limit allows (see {@link encodePacks}), and reports per message
 * what SQS refused. Also puts messages back for a later retry, and into the
 * tenant's dead-letter queue with the reason. Used by the HTTP queue endpoint,
 * the AMQP bridge and the stream-ingest function.
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

  send(tenant: string, messages: readonly OutgoingStreamMessage[]): Promise<SendOutcome> {
    const packed = messages.map((message) => ({ messageId: message.messageId, publishedAt: message.publishedAt, text: message.body, attempts: 0 }));
    return this.sendPacked(this.topology.streamQueue(tenant).name, packed, {});
  }

  /** Puts messages a function failed on back on the queue, visible again after `delaySeconds`. */
  retry(tenant: string, messages: readonly PackedMessage[], delaySeconds: number): Promise<SendOutcome> {
    return this.sendPacked(this.topology.streamQueue(tenant).name, messages, { delaySeconds: Math.min(900, Math.max(0, Math.round(delaySeconds))) });
  }

  /** Puts messages that failed every try into the tenant's dead-letter queue, with why. */
  deadLetter(tenant: string, messages: readonly PackedMessage[], reason: string): Promise<SendOutcome> {
    return this.sendPacked(this.topology.streamQueue(tenant).deadLetterName, messages, { reason });
  }

  private async sendPacked(queueName: string, messages: readonly PackedMessage[], options: { delaySeconds?: number; reason?: string }): Promise<SendOutcome> {
    const QueueUrl = await this.queueUrlByName(queueName);
    const failed: Array<{ messageId: string; reason: string }> = [];
    let sent = 0;
    let next = 0;
    await Promise.all(
      encodePacks(messages).map(async ({ body, count }) => {
        const members = messages.slice(next, next + count);
        next += count;
        const attributes: Record<string, MessageAttributeValue> = {
          [FORMAT_ATTRIBUTE]: { DataType: 'String', StringValue: PACK_FORMAT },
          ...(members.length === 1 && members[0]
            ? {
                [MESSAGE_ID_ATTRIBUTE]: { DataType: 'String', StringValue: members[0].messageId },
                [PUBLISHED_AT_ATTRIBUTE]: { DataType: 'Number', StringValue: String(members[0].publishedAt.getTime()) },
              }
            : {}),
          ...(options.reason ? { [REASON_ATTRIBUTE]: { DataType: 'String', StringValue: options.reason.slice(0, 1000) } } : {}),
        };
        try {
          await this.sqs.send(
            new SendMessageCommand({
              QueueUrl,
              MessageBody: body,
              MessageAttributes: attributes,
              ...(options.delaySeconds ? { DelaySeconds: options.delaySeconds } : {}),
            }),
          );
          sent += members.length;
        } catch (error) {
          for (const member of members) failed.push({ messageId: member.messageId, reason: (error as Error).message });
        }
      }),
    );
    return { sent, failed };
  }
}
