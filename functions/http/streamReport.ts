import { metricsWindow, queueDepth, type StreamReport } from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

/**
 * `GET /tenants/{tenant}/stream-report[?hours=24]`: messages, bytes,
 * failures and publish-to-write latency (p50, p95, p99, max) over the window,
 * with the stream queue's backlog and the messages waiting in its dead-letter queue.
 */
export const handler = tenantHttpHandler<StreamReport>(async ({ tenant, query, platform }) => {
  const window = metricsWindow(query.hours);
  const { totals } = await platform.metrics.series(tenant.id, window);
  const queue = platform.topology.streamQueue(tenant.id);
  const depth = (name: string) => queueDepth(platform.sqs, (queueName) => platform.streamQueues.queueUrlByName(queueName), name);
  const [deadLetters] = await platform.deadLetters.ofTenant(tenant.id, ['stream']).catch(() => []);
  return {
    body: {
      tenant: tenant.id,
      windowHours: window.hours,
      since: window.since.toISOString(),
      until: window.until.toISOString(),
      messages: totals.messages,
      bytes: totals.messageBytes,
      failures: totals.streamFailures,
      latencyMs: totals.latencyMs,
      queue: { name: queue.name, backlog: await depth(queue.name) },
      deadLetterQueue: {
        name: queue.deadLetterName,
        messages: await depth(queue.deadLetterName),
        oldest: deadLetters?.oldest ?? null,
        reasons: deadLetters?.reasons ?? [],
      },
    } satisfies StreamReport,
  };
});
