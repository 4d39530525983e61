// The stream function's event sources for serverless-offline-sqs, read from
// the tenant registry (the source of truth) every few seconds by the patched
// plugin (patches/serverless-offline-sqs+8.0.0.patch, `followQueues` in
// serverless.yml): the same definitions that drive the event source mappings
// on AWS (layers/platform/src/stream/streamEventSources.ts).
const { join } = require('node:path');
const tsx = require('tsx/cjs/api');

const load = (path) => tsx.require(join(__dirname, '..', path), __filename);
let connected;

module.exports = async () => {
  connected ??= (async () => {
    const { platformConfig, createCassandraClient, CassandraTenantRegistry, Topology, streamEventSources } = load('layers/platform/src/index.ts');
    const config = platformConfig();
    const topology = new Topology(config);
    const client = createCassandraClient(config);
    await client.connect();
    const registry = new CassandraTenantRegistry(client, topology.platformKeyspace, 0);
    return async () => streamEventSources(topology, await registry.list());
  })();
  // A failed connection is not kept: the next discovery connects again.
  connected.catch(() => (connected = undefined));
  return (await connected)();
};
