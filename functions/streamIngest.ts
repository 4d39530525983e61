import type { SQSRecord } from 'aws-lambda';
import { MESSAGE_ID_ATTRIBUTE, platform, platformConfig, PUBLISHED_AT_ATTRIBUTE, retryDelaySeconds, Topology, type QueueMessage } from '../layers/platform/src';
import { receiveCountOf } from './sqs/handBack';
import { sqsHandler } from './sqs/sqsHandler';

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
 * stream app, a tenant's messages together. What fails is handed back to SQS:
 * a bad message is retried (the tenant's `stream.maxReceiveCount` tries) and
 * then dead-lettered with the reason, while an outage (Cassandra down) or a
 * disabled tenant puts the batch back to wait, using up no try.
 */
export const handler = sqsHandler(
  {
    groupOf: tenantOf,
    maxReceiveCount: async (tenant) => (await (await platform()).registry.get(tenant))?.profile.stream.maxReceiveCount,
    handle: async (tenant, records) => {
      const { failedQueueMessages } = await (await platform()).streamIngest.ingest(tenant, records.map(queueMessageOf));
      const reasons = new Map(failedQueueMessages.map(({ id, reason }) => [id, reason]));
      return records.filter((record) => reasons.has(record.messageId)).map((record) => ({ record, error: new Error(reasons.get(record.messageId)) }));
    },
  },
  { what: 'stream batch', maxReceiveCount: 3, retryDelaySeconds, outage: { maxDelaySeconds: 20 } },
);
