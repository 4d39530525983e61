import {
  amqpUrl,
  CassandraTenantRegistry,
  closeSharedCassandraClient,
  createSqsClient,
  platformConfig,
  platformLogger,
  sharedCassandraClient,
  StreamQueueSender,
  Topology,
} from '../layers/platform/src';
import { AmqpSqsBridge } from './AmqpSqsBridge';

/**
 * The AMQP bridge process: RabbitMQ tenant queues -> tenant SQS queues.
 * Configured by the platform's environment; stops gracefully on SIGINT/SIGTERM.
 * It starts and keeps running whichever service is down: RabbitMQ is waited
 * for, SQS failures are retried, and the tenants it serves are read from the
 * registry whenever Cassandra answers.
 */
const config = platformConfig();
const topology = new Topology(config);
const sender = new StreamQueueSender(createSqsClient(config), topology);
let registry: CassandraTenantRegistry | undefined;
async function servedTenants(): Promise<CassandraTenantRegistry> {
  registry ??= new CassandraTenantRegistry(await sharedCassandraClient(), topology.platformKeyspace, 0);
  return registry;
}

const bridge = new AmqpSqsBridge({
  amqpUrl: amqpUrl(config.amqp.url, config.amqp.username, config.amqp.password, config.amqp.vhost),
  topology,
  send: (tenant, messages) => sender.send(tenant, messages),
  tenants: async () =>
    (await (await servedTenants()).list())
      .filter((tenant) => tenant.profile.status === 'active')
      .map((tenant) => ({ id: tenant.id, maxMessageBytes: tenant.profile.stream.maxMessageSize.bytes })),
  log: (level, message, fields) => platformLogger[level](message, { component: 'bridge', ...fields }),
  discoveryIntervalMs: Number(process.env.MYSIMBDP_BRIDGE_DISCOVERY_MS ?? 5000),
});

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  platformLogger.info('bridge stopping', { component: 'bridge', signal });
  await bridge.stop();
  await closeSharedCassandraClient();
  process.exit(0);
}
process.on('unhandledRejection', (error) => platformLogger.error('unhandled rejection', { component: 'bridge', error }));
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await bridge.start();
setInterval(() => platformLogger.info('bridge stats', { component: 'bridge', ...bridge.stats }), 30_000).unref();
