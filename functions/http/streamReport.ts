import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { InvalidInputError } from '../../layers/platform/src/errors';
import { tenantHttpHandler } from './httpHandler';

/**
 * `GET /tenants/{tenant}/stream-report[?hours=24]`: messages, bytes,
 * failures and publish-to-write latency (p50, p95, p99, max) over the window,
 * with the stream queue's backlog and the messages waiting in its dead-letter queue.
 */
export const handler = tenantHttpHandler(async ({ tenant, query, platform }) => {
  const hours = query.hours === undefined ? 24 : Number(query.hours);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 31) throw new InvalidInputError('hours must be a whole number from 1 to 744');
  const until = new Date();
  const since = new Date(until.getTime() - hours * 3600_000);
  const report = await platform.streamStats.report(tenant.id, since, until);
  const queue = platform.topology.streamQueue(tenant.id);
  const depth = async (name: string): Promise<number | null> => {
    try {
      const QueueUrl = await platform.streamQueues.queueUrlByName(name);
      const attributes = (
        await platform.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
        )
      ).Attributes;
      return Number(attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    } catch {
      return null;
    }
  };
  const [deadLetters] = await platform.deadLetters.ofTenant(tenant.id, ['stream']).catch(() => []);
  return {
    body: {
      tenant: tenant.id,
      windowHours: hours,
      since: since.toISOString(),
      until: until.toISOString(),
      messages: report.messages,
      bytes: report.bytes,
      failures: report.failures,
      latencyMs: report.latencyMs,
      queue: { name: queue.name, backlog: await depth(queue.name) },
      deadLetterQueue: {
        name: queue.deadLetterName,
        messages: await depth(queue.deadLetterName),
        oldest: deadLetters?.oldest ?? null,
        reasons: deadLetters?.reasons ?? [],
      },
    },
  };
});
