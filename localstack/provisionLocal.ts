import { join } from 'node:path';
import {
  CassandraTenantRegistry,
  createCassandraClient,
  createS3Client,
  createSqsClient,
  loadPlatformConfig,
  provisionPlatform,
  provisionStorage,
  RabbitMqAdmin,
  TenantDirectory,
  Topology,
} from '../layers/platform/src';
import { localEnvironment, type LocalStage, useLocalStage } from './localEnvironment';
import { repoRoot } from './paths';

/**
 * Provisions a local stage from `tenants/` and the topology: LocalStack's
 * bucket and queues, Cassandra's keyspaces and tenant registry, RabbitMQ's
 * virtual host, exchange, queues and users.
 */
export async function provisionLocal(stage: LocalStage, progress: (message: string) => void): Promise<void> {
  const config = useLocalStage(stage);
  const cassandra = createCassandraClient(config);
  await cassandra.connect();
  try {
    const definitions = await new TenantDirectory(join(repoRoot, 'tenants')).definitions();
    await provisionPlatform(
      config,
      definitions,
      {
        cassandra,
        aws: { s3: createS3Client(config), sqs: createSqsClient(config) },
        rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
      },
      (message) => progress(`provision ${stage}: ${message}`),
    );
  } finally {
    await cassandra.shutdown();
  }
}

/**
 * Gives a restarted LocalStack back what a local stage had in it (LocalStack
 * keeps S3 and SQS in memory): the bucket and its notification, the batch
 * queues, and the stream queues of every tenant in the registry, those added at
 * runtime included. Cassandra and RabbitMQ keep their state on disk, so their
 * restart needs nothing back.
 */
export async function restoreLocalStack(stage: LocalStage, progress: (message: string) => void): Promise<void> {
  // This process may serve another stage: take this stage's configuration without making it the process's.
  const env = localEnvironment(stage);
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION'] as const) process.env[name] ??= env[name];
  const config = loadPlatformConfig(env);
  const topology = new Topology(config);
  const cassandra = createCassandraClient(config);
  await cassandra.connect();
  try {
    const tenants = await new CassandraTenantRegistry(cassandra, topology.platformKeyspace, 0).list();
    await provisionStorage({ s3: createS3Client(config), sqs: createSqsClient(config) }, topology, tenants, (message) =>
      progress(`restore ${stage}: ${message}`),
    );
  } finally {
    await cassandra.shutdown();
  }
}
