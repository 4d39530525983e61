import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { platformConfig } from '../layers/platform/src/config/PlatformConfig';
import { platformLogger } from '../layers/platform/src/logging/platformLogger';
import { platform } from '../layers/platform/src/platform';
import { createSqsClient } from '../layers/platform/src/storage/awsClients';
import type { StreamDelivery } from '../layers/platform/src/stream/StreamIngestPipeline';
import { MESSAGE_ID_ATTRIBUTE, PUBLISHED_AT_ATTRIBUTE } from '../layers/platform/src/stream/StreamQueueSender';
import { retryLater } from './sqs/retryLater';

const sqs = createSqsClient(platformConfig());

/** Retries come after 2 s, 4 s, 8 s, ... */
const retryDelay = (receiveCount: number): number => Math.min(300, 2 ** receiveCount);

/** The tenant whose stream queue (`mysimbdp-<stage>-stream-<tenant>`) a record came from. */
function tenantOf(record: SQSRecord): string {
  const queueName = record.eventSourceARN.split(':').pop() ?? '';
  return queueName.slice(queueName.lastIndexOf('-stream-') + '-stream-'.length);
}

function deliveryOf(record: SQSRecord): StreamDelivery {
  const publishedAt = Number(record.messageAttributes[PUBLISHED_AT_ATTRIBUTE]?.stringValue ?? record.attributes.SentTimestamp);
  return {
    deliveryId: record.messageId,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? 1),
    messageId: record.messageAttributes[MESSAGE_ID_ATTRIBUTE]?.stringValue ?? record.messageId,
    publishedAt: new Date(publishedAt),
    body: record.body,
  };
}

/**
 * The stream-ingest function: a batch of one tenant's stream messages (SQS
 * event source), written by the tenant's stream app. Bad messages are
 * reported as batch item failures, retried, then dead-lettered.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event) => {
  const byTenant = new Map<string, SQSRecord[]>();
  for (const record of event.Records) byTenant.set(tenantOf(record), [...(byTenant.get(tenantOf(record)) ?? []), record]);
  const failed: SQSRecord[] = [];
  for (const [tenant, records] of byTenant) {
    try {
      const { streamIngest } = await platform();
      const result = await streamIngest.ingest(tenant, records.map(deliveryOf));
      const failedIds = new Set(result.failed.map((failure) => failure.deliveryId));
      failed.push(...records.filter((record) => failedIds.has(record.messageId)));
    } catch (error) {
      platformLogger.error('stream batch will be retried', { tenant, messages: records.length, error: (error as Error).message });
      failed.push(...records);
    }
  }
  return { batchItemFailures: await retryLater(sqs, failed, retryDelay) };
});
