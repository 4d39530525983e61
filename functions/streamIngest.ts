import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformConfig } from '../layers/platform/src/config/PlatformConfig';
import { platformLogger } from '../layers/platform/src/logging/platformLogger';
import { platform } from '../layers/platform/src/platform';
import { createSqsClient } from '../layers/platform/src/storage/awsClients';
import { retryDelaySeconds, type QueueMessage } from '../layers/platform/src/stream/StreamIngestPipeline';
import { MESSAGE_ID_ATTRIBUTE, PUBLISHED_AT_ATTRIBUTE } from '../layers/platform/src/stream/StreamQueueSender';
import { retryLater } from './sqs/retryLater';

const sqs = createSqsClient(platformConfig());

/** The tenant whose stream queue (`mysimbdp-<stage>-stream-<tenant>`) a record came from. */
function tenantOf(record: SQSRecord): string {
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  return queueName.slice(queueName.lastIndexOf('-stream-') + '-stream-'.length);
}

function queueMessageOf(record: SQSRecord): QueueMessage {
  const publishedAt = record.messageAttributes[PUBLISHED_AT_ATTRIBUTE]?.stringValue;
  return {
    id: record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? 1),
    messageId: record.messageAttributes[MESSAGE_ID_ATTRIBUTE]?.stringValue,
    publishedAt: new Date(Number(publishedAt ?? record.attributes.SentTimestamp)),
  };
}

/**
 * The stream-ingest function: one tenant's queue messages (SQS event source),
 * each a pack of stream messages or a single one, written by the tenant's
 * stream app. What fails goes back to SQS (partial batch failure), to be
 * retried and then dead-lettered.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const byTenant = new Map<string, SQSRecord[]>();
  for (const record of event.Records) byTenant.set(tenantOf(record), [...(byTenant.get(tenantOf(record)) ?? []), record]);
  const failed: SQSRecord[] = [];
  for (const [tenant, records] of byTenant) {
    try {
      const { streamIngest } = await platform();
      const result = await streamIngest.ingest(tenant, records.map(queueMessageOf));
      const failedIds = new Set(result.failedQueueMessages);
      failed.push(...records.filter((record) => failedIds.has(record.messageId)));
    } catch (error) {
      platformLogger.error('stream batch will be retried', { tenant, messages: records.length, error: (error as Error).message });
      failed.push(...records);
    }
  }
  return { batchItemFailures: await retryLater(sqs, failed, retryDelaySeconds) };
});
