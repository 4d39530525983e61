import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Messages in a queue (waiting and in flight, as SQS approximates them), or
 * null when the queue cannot be read (missing, SQS down): a report shows what
 * it knows rather than fail.
 *
 * @example
 * await queueDepth(sqs, (name) => queues.queueUrlByName(name), 'mysimbdp-local-stream-zoo-dlq'); // 0
 */
export async function queueDepth(sqs: SQSClient, queueUrl: (name: string) => Promise<string>, name: string): Promise<number | null> {
  try {
    const attributes = (
      await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: await queueUrl(name),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
    ).Attributes;
    return Number(attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch {
    return null;
  }
}

/** A queue's messages by where they stand, as SQS approximates them. */
export interface QueueCounts {
  /** Waiting to be received, including those sent or handed back with a delay. */
  readonly waiting: number;
  /** Received and not yet deleted: being worked on (or handed back, invisible until their retry). */
  readonly inFlight: number;
}

/** A queue's messages waiting and in flight, or null when the queue cannot be read (missing, SQS down). */
export async function queueCounts(sqs: SQSClient, queueUrl: (name: string) => Promise<string>, name: string): Promise<QueueCounts | null> {
  try {
    const attributes =
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: await queueUrl(name),
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        )
      ).Attributes ?? {};
    return {
      waiting: Number(attributes.ApproximateNumberOfMessages ?? 0) + Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
      inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch {
    return null;
  }
}
