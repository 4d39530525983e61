// The streaming path without SQS or functions, as the benchmarks' peer: one process
// consumes the tenant's RabbitMQ queue and writes each message straight to
// Cassandra with the same stream app, acknowledging after the write.
//   node --import tsx bench/baselineConsumer.ts <tenant>
import amqp from 'amqplib';
import {
  amqpUrl,
  CassandraTenantRegistry,
  insertCql,
  KeyspaceSchema,
  loadStreamIngestApp,
  platformConfig,
  PUBLISHED_AT_HEADER,
  sharedCassandraClient,
  Topology,
} from '../layers/platform/src';

const tenantId = process.argv[2] ?? 'zoo';
const config = platformConfig();
const topology = new Topology(config);
const client = await sharedCassandraClient();
const tenant = await new CassandraTenantRegistry(client, topology.platformKeyspace, 0).get(tenantId);
if (!tenant) throw new Error(`no tenant ${tenantId}`);
const keyspace = topology.tenantKeyspace(tenant.profile);
const app = await loadStreamIngestApp(tenantId);
await new KeyspaceSchema(client, keyspace).ensureTables(app.tables);
const tables = new Map(app.tables.map((table) => [table.name, table]));

const connection = await amqp.connect(amqpUrl(config.amqp.url, config.amqp.username, config.amqp.password, config.amqp.vhost));
const channel = await connection.createChannel();
await channel.prefetch(500);
await channel.consume(topology.amqp([tenantId]).tenants[0]?.queue as string, (message) => {
  if (!message) return;
  const body = JSON.parse(message.content.toString('utf8')) as unknown;
  const rows = app.toRows({
    tenant: tenantId,
    messageId: String(message.properties.messageId),
    publishedAt: new Date(Number(message.properties.headers?.[PUBLISHED_AT_HEADER])),
    body,
    bytes: message.content.length,
  });
  Promise.all(
    rows.map((row) => {
      const table = tables.get(row.table);
      if (!table) throw new Error(`unknown table ${row.table}`);
      return client.execute(
        insertCql(keyspace, table),
        Object.keys(table.columns).map((column) => row.values[column] ?? null),
        { prepare: true },
      );
    }),
  ).then(
    () => channel.ack(message),
    () => channel.nack(message, false, true),
  );
});
console.log('baseline consumer ready');
process.on('SIGTERM', () => void connection.close().finally(() => process.exit(0)));
