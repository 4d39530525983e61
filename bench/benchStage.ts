import type cassandra from 'cassandra-driver';
import {
  createCassandraClient,
  createS3Client,
  createSqsClient,
  provisionPlatform,
  RabbitMqAdmin,
  TenantDirectory,
  type PlatformConfig,
} from '../layers/platform/src';
import { LocalCloud } from '../localstack/LocalCloud';
import { useLocalStage } from '../localstack/localEnvironment';
import { resetLocalStage } from '../localstack/resetLocalStage';

/** The bench stage, clean, on the local cloud, with a Cassandra client; `close` stops what it started. */
export interface BenchStage {
  readonly config: PlatformConfig;
  readonly client: cassandra.Client;
  /** Provisions the stage for the tenants of a folder (registry, keyspaces, queues, broker users). */
  provision(tenantsDir: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the services of the local cloud that are not running, gives the
 * bench stage a clean slate and connects to its Cassandra: what the benchmarks
 * that run the platform through serverless offline begin with.
 *
 * @example
 * const stage = await openBenchStage(say);
 * try { await stage.provision(join(repoRoot, 'tenants')); ... } finally { await stage.close(); }
 */
export async function openBenchStage(say: (line: string) => void): Promise<BenchStage> {
  const cloud = new LocalCloud();
  const started = await cloud.start(say);
  const config = useLocalStage('bench');
  await resetLocalStage('bench');
  const client = createCassandraClient(config);
  await client.connect();
  return {
    config,
    client,
    provision: async (tenantsDir) => {
      await provisionPlatform(config, await new TenantDirectory(tenantsDir).definitions(), {
        cassandra: client,
        aws: { s3: createS3Client(config), sqs: createSqsClient(config) },
        rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
      });
    },
    close: async () => {
      await client.shutdown();
      await cloud.stop(started);
    },
  };
}
