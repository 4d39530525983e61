import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import amqp from 'amqplib';
import { randomUUID } from 'node:crypto';
import { amqpUrl } from '../../layers/platform/src/amqp/amqpUrl';
import { createS3Client, createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { api, config, connectCassandra, runCli } from '../helpers/testPlatform';

describe('the local cloud runs real services', () => {
  it('S3: an object put is read back byte for byte', async () => {
    const s3 = createS3Client(config);
    const key = `probe/${randomUUID()}.bin`;
    const body = Buffer.from(Array.from({ length: 4096 }, (_, n) => n % 251));
    await s3.send(new PutObjectCommand({ Bucket: config.ingestBucket, Key: key, Body: body }));
    const read = await s3.send(new GetObjectCommand({ Bucket: config.ingestBucket, Key: key }));
    expect(Buffer.from(await (read.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray())).toEqual(body);
    await s3.send(new DeleteObjectCommand({ Bucket: config.ingestBucket, Key: key }));
  });

  it('SQS: a message sent is received', async () => {
    const sqs = createSqsClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `mysimbdp-test-probe-${Date.now()}` }));
    const body = `probe ${randomUUID()}`;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual([body]);
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  });

  it('Cassandra: a row written is read back', async () => {
    const client = await connectCassandra();
    try {
      await client.execute('CREATE TABLE IF NOT EXISTS test_mysimbdp.probe (id text PRIMARY KEY, value bigint)');
      const id = randomUUID();
      await client.execute('INSERT INTO test_mysimbdp.probe (id, value) VALUES (?, ?)', [id, 42n]);
      const row = (await client.execute('SELECT value FROM test_mysimbdp.probe WHERE id = ?', [id])).first();
      expect(row?.get('value')).toBe(42n);
      const version = (await client.execute('SELECT release_version FROM system.local')).first()?.get('release_version') as string;
      expect(version).toMatch(/^5\.0\./);
    } finally {
      await client.shutdown();
    }
  });

  it('RabbitMQ: a message published is consumed', async () => {
    const connection = await amqp.connect(amqpUrl(config.amqp.url, config.amqp.adminUsername, config.amqp.adminPassword, config.amqp.vhost));
    try {
      const channel = await connection.createConfirmChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      const body = `probe ${randomUUID()}`;
      channel.sendToQueue(queue, Buffer.from(body));
      await channel.waitForConfirms();
      const message = await channel.get(queue, { noAck: true });
      expect(message && message.content.toString()).toBe(body);
    } finally {
      await connection.close();
    }
  });

  it('GET /health is 200 with every service up and its latency', async () => {
    const reply = await api('GET', '/health');
    expect(reply.status).toBe(200);
    const services = reply.body.services as Record<string, { status: string; latencyMs: number }>;
    expect(Object.keys(services).sort()).toEqual(['cassandra', 'rabbitmq', 's3', 'sqs']);
    for (const service of Object.values(services)) {
      expect(service.status).toBe('up');
      expect(service.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('`localcloud status` reports each service serving, with its log file', async () => {
    const run = await runCli('localstack/cli.ts', ['status']);
    expect(run.status).toBe(0);
    for (const service of ['cassandra', 'localstack', 'rabbitmq']) {
      expect(run.stdout).toMatch(new RegExp(`^${service}\\s+serving \\(\\d+ ms\\).*log .*/${service}\\.log$`, 'm'));
    }
  });
});
