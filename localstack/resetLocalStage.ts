import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createCassandraClient, createS3Client, createSqsClient, RabbitMqAdmin } from '../layers/platform/src';
import { type LocalStage, useLocalStage } from './localEnvironment';

async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket })).catch(() => undefined);
    if (!page) return;
    const keys = (page.Contents ?? []).map((object) => ({ Key: object.Key as string }));
    if (keys.length === 0) break;
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys } }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
}

/**
 * Deletes everything of one local stage (never `local` by accident: the caller
 * names it): its keyspaces, queues, bucket and RabbitMQ virtual host. Tests
 * and benchmarks start from this clean slate.
 */
export async function resetLocalStage(stage: Exclude<LocalStage, 'local'>): Promise<void> {
  const config = useLocalStage(stage);
  const cassandra = createCassandraClient(config);
  await cassandra.connect();
  try {
    const keyspaces = await cassandra.execute('SELECT keyspace_name FROM system_schema.keyspaces');
    for (const row of keyspaces.rows) {
      const name = row.get('keyspace_name') as string;
      if (name.startsWith(config.cassandra.keyspacePrefix)) await cassandra.execute(`DROP KEYSPACE IF EXISTS ${name}`);
    }
  } finally {
    await cassandra.shutdown();
  }
  const sqs = createSqsClient(config);
  const queues = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `mysimbdp-${stage}-` }));
  for (const url of queues.QueueUrls ?? []) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  await emptyAndDeleteBucket(createS3Client(config), config.ingestBucket);
  await new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword).deleteVhost(config.amqp.vhost);
}
