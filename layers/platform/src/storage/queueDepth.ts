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
