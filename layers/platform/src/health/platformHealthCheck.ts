import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import { amqpUrl } from '../amqp/amqpUrl';
import { sharedCassandraClient } from '../cassandra/sharedCassandraClient';
import type { PlatformConfig } from '../config/PlatformConfig';
import { createS3Client, createSqsClient } from '../storage/awsClients';
import { Topology } from '../topology/Topology';
import { HealthCheck } from './HealthCheck';

/**
 * The health check of `GET /health`: S3 (the ingest bucket), SQS (the
 * batch-ingest queue), Cassandra (a query) and RabbitMQ (an AMQP connection
 * to the stage's virtual host). It needs none of them to be up to answer.
 */
export function platformHealthCheck(config: PlatformConfig): HealthCheck {
  const s3 = createS3Client(config);
  const sqs = createSqsClient(config);
  const topology = new Topology(config);
  return new HealthCheck({
    s3: () => s3.send(new HeadBucketCommand({ Bucket: config.ingestBucket })),
    sqs: () => sqs.send(new GetQueueUrlCommand({ QueueName: topology.batchIngestQueue.name })),
    cassandra: async () => (await sharedCassandraClient()).execute('SELECT release_version FROM system.local'),
    rabbitmq: async () => {
      const connection = await amqp.connect(amqpUrl(config.amqp.url, config.amqp.username, config.amqp.password, config.amqp.vhost), { timeout: 2000 });
      await connection.close();
    },
  });
}
