import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** A command as the SDK's clients are sent them: its class names it, `input` is what it asks. */
interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: object;
}

/**
 * An SQS client that sends nothing: it records every command but the queue
 * URL look-ups (which it answers), answers with what a test set per command,
 * and refuses every command while a test says SQS is down.
 */
export class FakeSqsClient {
  readonly sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  private readonly replies = new Map<string, (input: Record<string, unknown>) => unknown>();
  private down: Error | undefined;

  /** Answers every `command` (by class name) with what `reply` returns for its input. */
  reply(command: string, reply: (input: Record<string, unknown>) => unknown): void {
    this.replies.set(command, reply);
  }

  fail(error: Error | undefined): void {
    this.down = error;
  }

  send(command: SentCommand): Promise<unknown> {
    const name = command.constructor.name;
    const input = command.input as Record<string, unknown>;
    if (name === 'GetQueueUrlCommand' && !this.replies.has(name)) return Promise.resolve({ QueueUrl: `http://127.0.0.1/queue/${String(input.QueueName)}` });
    if (this.down) return Promise.reject(this.down);
    this.sent.push({ command: name, input });
    try {
      return Promise.resolve(this.replies.get(name)?.(input) ?? {});
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  asClient(): SQSClient {
    return this as unknown as SQSClient;
  }

  /** An SQS record of `queue` as the event source hands it to a function, on its `receiveCount`th delivery. */
  static record(queue: string, body: string, receiveCount: number, id = 'message-1'): SQSRecord {
    return {
      messageId: id,
      receiptHandle: `receipt-${id}`,
      body,
      attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
      awsRegion: 'us-east-1',
    };
  }
}
