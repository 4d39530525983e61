import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { RecordingAwsClient } from './RecordingAwsClient';

/**
 * An SQS client that sends nothing: it records every command but the queue
 * URL look-ups (which it answers), answers with what a test set per command,
 * and refuses every command while a test says SQS is down.
 */
export class FakeSqsClient extends RecordingAwsClient<SQSClient> {
  private down: Error | undefined;

  fail(error: Error | undefined): void {
    this.down = error;
  }

  protected override answerUnrecorded(name: string, input: Record<string, unknown>, replySet: boolean): Promise<unknown> | undefined {
    if (name === 'GetQueueUrlCommand' && !replySet) return Promise.resolve({ QueueUrl: `http://127.0.0.1/queue/${String(input.QueueName)}` });
    if (this.down) return Promise.reject(this.down);
    return undefined;
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
