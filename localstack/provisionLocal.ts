import { join } from 'node:path';
import { createCassandraClient } from '../layers/platform/src/cassandra/createCassandraClient';
import { provisionPlatform } from '../layers/platform/src/provisioning/provisionPlatform';
import { RabbitMqAdmin } from '../layers/platform/src/provisioning/RabbitMqAdmin';
import { createS3Client, createSqsClient } from '../layers/platform/src/storage/awsClients';
import { TenantDirectory } from '../layers/platform/src/tenants/TenantDirectory';
import { type LocalStage, useLocalStage } from './localEnvironment';
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
