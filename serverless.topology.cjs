// The platform topology, rendered for serverless.yml from the same definitions
// the local provisioner uses (layers/platform/src/topology), so LocalStack and
// AWS cannot drift apart. serverless.yml reads it with ${file(...):<key>}.
const { join } = require('node:path');
const tsx = require('tsx/cjs/api');

let rendered;

module.exports = async ({ resolveVariable }) => {
  if (!rendered) {
    const stage = await resolveVariable('sls:stage');
    const load = (path) => tsx.require(join(__dirname, path), __filename);
    const { renderServerlessTopology } = load('layers/platform/src/topology/serverlessTopology.ts');
    rendered = renderServerlessTopology(stage, process.env);
    // The batch benchmark runs the batch functions in processes of its own, to measure their memory as Lambda
    // does: serverless offline then leaves their queues alone (the chunk queues too: localstack/offlineEventSources.cjs).
    if (process.env.AWS_ENDPOINT_URL && process.env.MYSIMBDP_OFFLINE_BATCH_INGEST === 'off') {
      for (const event of rendered.batchIngestEvents) event.sqs.enabled = false;
    }
  }
  return rendered;
};
