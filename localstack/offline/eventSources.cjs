// The queue functions' event sources for serverless-offline-sqs, read from
// the tenant registry (the source of truth) every few seconds by the patched
// plugin (patches/serverless-offline-sqs+8.0.0.patch, `followQueues` in
// serverless.yml): the same definitions that drive the event source mappings
// on AWS (layers/platform/src/topology/eventSources.ts). `fairGate` is what
// the chunk function's pollers share, as its reserved concurrency on AWS.
const { join } = require('node:path');
const tsx = require('tsx/cjs/api');

const load = (path) => tsx.require(join(__dirname, '..', '..', path), __filename);
let connected;

function registered() {
  connected ??= (async () => {
    const { platformConfig, createCassandraClient, CassandraTenantRegistry, Topology } = load('layers/platform/src/index.ts');
    const config = platformConfig();
    const client = createCassandraClient(config);
    await client.connect();
    const registry = new CassandraTenantRegistry(client, new Topology(config).platformKeyspace, 0);
    return { config, topology: new Topology(config), list: () => registry.list() };
  })();
  // A failed connection is not kept: the next discovery connects again.
  connected.catch(() => (connected = undefined));
  return connected;
}

module.exports = {
  stream: async () => {
    const { streamEventSources } = load('layers/platform/src/index.ts');
    const { topology, list } = await registered();
    return streamEventSources(topology, await list());
  },
  chunks: async () => {
    // The batch benchmark runs the chunk function in processes of its own.
    if (process.env.MYSIMBDP_OFFLINE_BATCH_INGEST === 'off') return [];
    const { chunkEventSources } = load('layers/platform/src/index.ts');
    const { config, topology, list } = await registered();
    return chunkEventSources(topology, await list(), config.batch.chunkConcurrency);
  },
  fairGate: (capacity) => {
    const { FairGate } = load('localstack/offline/FairGate.ts');
    return new FairGate(capacity);
  },
};
