import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_RETENTION_SECONDS, type QueueDefinition } from '../topology/Topology';

export interface ProvisionedQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<{ url: string; arn: string }> {
  let url: string;
  try {
    url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl as string;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist) && (error as Error).name !== 'AWS.SimpleQueueService.NonExistentQueue') throw error;
    url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl as string;
  }
  const reply = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: reply.Attributes?.QueueArn as string };
}

/**
 * Creates (or updates) each queue and its dead-letter queue, with the
 * redrive policy that moves a message to the DLQ after `maxReceiveCount`
 * deliveries. Idempotent.
 *
 * @example
 * await provisionQueues(sqs, topology.queues(profiles));
 */
export async function provisionQueues(sqs: SQSClient, definitions: readonly QueueDefinition[]): Promise<Map<string, ProvisionedQueue>> {
  const queues = new Map<string, ProvisionedQueue>();
  for (const definition of definitions) {
    const dlq = await ensureQueue(sqs, definition.deadLetterName, { MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS) });
    const queue = await ensureQueue(sqs, definition.name, {
      VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
      MessageRetentionPeriod: String(QUEUE_RETENTION_SECONDS),
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: definition.maxReceiveCount }),
    });
    queues.set(definition.name, { url: queue.url, arn: queue.arn, deadLetterUrl: dlq.url });
  }
  return queues;
}
