import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import {
  createSqsClient,
  MESSAGE_ID_ATTRIBUTE,
  platform,
  platformConfig,
  platformLogger,
  PUBLISHED_AT_ATTRIBUTE,
  retryDelaySeconds,
  Topology,
  type QueueMessage,
} from '../layers/platform/src';
import { lambdaLogContext } from './lambdaLogContext';
import { handBack, receiveCountOf, type HandBackFailure } from './sqs/handBack';

const sqs = createSqsClient(platformConfig());
const topology = new Topology(platformConfig());

/** The tenant whose stream queue a record came from, as the topology names the queue (an unknown queue names no tenant, whose messages wait). */
function tenantOf(record: SQSRecord): string {
  return topology.tenantOfQueue(record.eventSourceARN) ?? '';
}

function queueMessageOf(record: SQSRecord): QueueMessage {
  const publishedAt = record.messageAttributes[PUBLISHED_AT_ATTRIBUTE]?.stringValue;
  return {
    id: record.messageId,
    body: record.body,
    receiveCount: receiveCountOf(record),
    messageId: record.messageAttributes[MESSAGE_ID_ATTRIBUTE]?.stringValue,
    publishedAt: new Date(Number(publishedAt ?? record.attributes.SentTimestamp)),
  };
}

/**
 * The stream-ingest function: one tenant's queue messages (SQS event source),
 * each a pack of stream messages or a single one, written by the tenant's
 * stream app. What fails is handed back to SQS: a bad message is retried and
 * then dead-lettered with the reason, while an outage (Cassandra down) or a
 * disabled tenant puts the batch back to wait, using up no try.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent) => {
  const byTenant = new Map<string, SQSRecord[]>();
  for (const record of event.Records) byTenant.set(tenantOf(record), [...(byTenant.get(tenantOf(record)) ?? []), record]);
  const failures: HandBackFailure[] = [];
  let maxReceiveCount = 3;
  for (const [tenant, records] of byTenant) {
    try {
      const { streamIngest, registry } = await platform();
      maxReceiveCount = (await registry.get(tenant))?.profile.stream.maxReceiveCount ?? maxReceiveCount;
      const result = await streamIngest.ingest(tenant, records.map(queueMessageOf));
      const reasons = new Map(result.failedQueueMessages.map(({ id, reason }) => [id, reason]));
      for (const record of records) if (reasons.has(record.messageId)) failures.push({ record, error: new Error(reasons.get(record.messageId)) });
    } catch (error) {
      platformLogger.warn('stream batch handed back', { tenant, messages: records.length, error });
      failures.push(...records.map((record) => ({ record, error })));
    }
  }
  return { batchItemFailures: await handBack(sqs, failures, { maxReceiveCount, retryDelaySeconds, outage: { maxDelaySeconds: 20 } }) };
}).use(lambdaLogContext);
