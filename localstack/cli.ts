import cassandra from 'cassandra-driver';
import { Command } from 'commander';
import { LocalCloud } from './LocalCloud';
import { localEnvironment, type LocalStage } from './localEnvironment';
import { localCloudDir } from './paths';
import { provisionLocal } from './provisionLocal';
import { cassandraAdminCredentials, connectLocalCassandra } from './services/cassandraRoles';
import { resetLocalStage } from './resetLocalStage';

const say = (message: string): void => console.log(message);

/** CQL values as JSON: a bigint as a number, a map as an object, a set as a list. */
function jsonOfCql(_: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}
const cloud = new LocalCloud();
const stageOption = (value: string): LocalStage => {
  if (value !== 'local' && value !== 'test' && value !== 'bench') throw new Error('stage is local, test or bench');
  return value;
};

const program = new Command('localcloud')
  .description(`The local cloud (Cassandra, one node or MYSIMBDP_CASSANDRA_NODES of them; LocalStack, RabbitMQ on 127.0.0.1); state in ${localCloudDir}`)
  .showHelpAfterError();

program
  .command('install')
  .description('install every service that is missing (cached in .localcloud/)')
  .action(() => cloud.install(say));

program
  .command('start')
  .description('install what is missing, start what is not running, provision the stage')
  .option('--stage <stage>', 'stage to provision', stageOption, 'local')
  .action(async (options: { stage: LocalStage }) => {
    await cloud.start(say);
    await provisionLocal(options.stage, say);
  });

program
  .command('stop')
  .description('stop the services the local cloud started')
  .action(async () => say(`stopped: ${(await cloud.stop()).join(', ') || 'nothing was running'}`));

program
  .command('status')
  .description('each service (each Cassandra node): installed, running, serving, latency, log file; and the ring as the first serving node sees it')
  .action(async () => {
    const statuses = await cloud.status();
    for (const { service, status } of statuses) {
      const state = status.serving ? `serving (${status.latencyMs} ms)` : status.pid ? 'running, not serving yet' : 'stopped';
      say(
        `${service.name.padEnd(11)} ${state.padEnd(26)} ${status.installed ? 'installed' : 'not installed'}  pid ${status.pid ?? '-'}  log ${service.logFile}`,
      );
      say(`            ${service.description}`);
    }
    // Every node's state (UN up, DN down), address and load, as Cassandra's gossip knows them.
    const serving = cloud.cassandra.nodes.find((node) => statuses.some(({ service, status }) => service === node && status.serving));
    if (serving) say(`\nthe ring, as ${serving.name} sees it (nodetool status):\n${serving.nodetool(['status'])}`);
  });

program
  .command('nodetool')
  .description('run nodetool against a node of the local Cassandra, e.g. `nodetool status`, `nodetool --node 2 repair tenant_zoo`')
  .option('--node <n>', 'which node (1 is 127.0.0.1)', (value: string) => Number(value), 1)
  .argument('<args...>', "nodetool's own arguments (put them after --, e.g. `-- repair --full tenant_zoo`)")
  .action((args: string[], options: { node: number }) => say(cloud.cassandra.node(options.node).nodetool(args)));

program
  .command('provision')
  .description("create the stage's bucket, queues, keyspaces, tenant registry and RabbitMQ objects from tenants/")
  .option('--stage <stage>', 'stage', stageOption, 'local')
  .action((options: { stage: LocalStage }) => provisionLocal(options.stage, say));

program
  .command('reset')
  .description('stop everything and delete all service data and logs (installs are kept)')
  .action(async () => {
    await cloud.reset();
    say(`local cloud reset: data and logs under ${localCloudDir} deleted`);
  });

program
  .command('reset-stage')
  .description("delete one stage's keyspaces, queues, bucket and RabbitMQ vhost (services must run)")
  .requiredOption('--stage <stage>', 'test or bench', stageOption)
  .action(async (options: { stage: LocalStage }) => {
    if (options.stage === 'local') throw new Error('reset-stage refuses the local stage; use `reset` to wipe everything');
    await resetLocalStage(options.stage);
  });

program
  .command('cql <statement>')
  .description('run one CQL statement against the local Cassandra and print the rows as JSON lines')
  .action(async (statement: string) => {
    // As the node's superuser: the operator's tool reads every keyspace.
    const client = await connectLocalCassandra(cassandraAdminCredentials());
    try {
      for await (const row of client.stream(statement, [], { fetchSize: 1000 }) as unknown as AsyncIterable<cassandra.types.Row>) {
        say(JSON.stringify(Object.fromEntries(row.keys().map((key) => [key, row.get(key)])), jsonOfCql));
      }
    } finally {
      await client.shutdown();
    }
  });

program
  .command('env')
  .description('print the environment of a local stage, for shells: eval "$(npm run -s localcloud -- env)"')
  .option('--stage <stage>', 'stage', stageOption, 'local')
  .option('--json', "print it as one line of JSON instead (what the operator's tool reads)")
  .action((options: { stage: LocalStage; json?: boolean }) => {
    const env = localEnvironment(options.stage);
    if (options.json) say(JSON.stringify(env));
    else for (const [name, value] of Object.entries(env)) say(`export ${name}='${value}'`);
  });

program.parseAsync().catch((error: Error) => {
  console.error(`localcloud: ${error.message}`);
  process.exit(1);
});
