import { ChangeMessageVisibilityBatchCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import { platformLogger } from '../../layers/platform/src/logging/platformLogger';

const urls = new Map<string, Promise<string>>();

function queueUrl(sqs: SQSClient, arn: string): Promise<string> {
  let url = urls.get(arn);
  if (!url) {
    url = sqs.send(new GetQueueUrlCommand({ QueueName: arn.split(':').pop() as string })).then((reply) => reply.QueueUrl as string);
    urls.set(arn, url);
  }
  return url;
}

/**
 * Marks records as failed for the SQS event source (ReportBatchItemFailures)
 * and sets when each comes back: `delaySeconds(receiveCount)` instead of the
 * queue's whole visibility timeout, so a retry after a passing outage comes
 * soon, and a poison message reaches the dead-letter queue in seconds.
 *
 * @example
 * return { batchItemFailures: await retryLater(sqs, failedRecords, (n) => 2 ** n) };
 */
export async function retryLater(
  sqs: SQSClient,
  records: readonly SQSRecord[],
  delaySeconds: (receiveCount: number) => number,
): Promise<SQSBatchItemFailure[]> {
  const byQueue = new Map<string, SQSRecord[]>();
  for (const record of records) byQueue.set(record.eventSourceARN, [...(byQueue.get(record.eventSourceARN) ?? []), record]);
  for (const [arn, failed] of byQueue) {
    try {
      const QueueUrl = await queueUrl(sqs, arn);
      for (let start = 0; start < failed.length; start += 10) {
        await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl,
            Entries: failed.slice(start, start + 10).map((record, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: Math.min(43_200, Math.max(0, Math.round(delaySeconds(Number(record.attributes.ApproximateReceiveCount ?? 1))))),
            })),
          }),
        );
      }
    } catch (error) {
      // The messages still come back, after the queue's visibility timeout.
      platformLogger.warn('could not shorten the retry delay', { queue: arn, error: (error as Error).message });
    }
  }
  return records.map((record) => ({ itemIdentifier: record.messageId }));
}
