import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, DeleteMessageCommand, DeleteQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../layers/platform/src/Clock';
import { ChunkBoundaries, type ChunkSpan } from '../../layers/platform/src/ingest/files/ChunkBoundaries';
import { UploadText } from '../../layers/platform/src/ingest/files/UploadText';
import { ChunkCutter } from '../../layers/platform/src/ingest/files/ChunkCutter';
import { ChunkStore } from '../../layers/platform/src/ingest/files/ChunkStore';
import { decodeChunkTask, type ChunkTask, type UploadRef } from '../../layers/platform/src/ingest/files/ChunkTask';
import { ChunkTaskQueue } from '../../layers/platform/src/ingest/files/ChunkTaskQueue';
import { createS3Client, createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { IngestBucket } from '../../layers/platform/src/storage/IngestBucket';
import { config, connectCassandra, topology } from '../helpers/testPlatform';

/** A CSV of `rows` records, every fourth with a quoted field holding a line break. */
function csv(rows: number): Buffer {
  const lines = ['id,text'];
  for (let n = 1; n <= rows; n += 1) lines.push(n % 4 === 0 ? `${n},"two\nlines, ${n}"` : `${n},one line ${n}`);
  return Buffer.from(`${lines.join('\n')}\n`);
}

describe('the chunk cutter, against S3, SQS and Cassandra', () => {
  let client: cassandra.Client;
  const sqs = createSqsClient(config);
  let queueUrl: string;

  beforeAll(async () => {
    client = await connectCassandra();
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `mysimbdp-test-cutter-${Date.now()}` }))).QueueUrl as string;
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await client.shutdown();
  });

  async function drain(): Promise<ChunkTask[]> {
    const tasks: ChunkTask[] = [];
    for (;;) {
      const reply = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      if (!reply.Messages?.length) return tasks;
      for (const message of reply.Messages) {
        tasks.push(decodeChunkTask(message.Body as string) as ChunkTask);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  }

  /** Puts `body` in the ingest bucket, as zoo's upload of `fileName`: the upload the cutter is given. */
  async function putUpload(fileName: string, body: Buffer): Promise<UploadRef> {
    const key = `probe/cutter-${randomUUID()}.csv`;
    const put = await createS3Client(config).send(new PutObjectCommand({ Bucket: config.ingestBucket, Key: key, Body: body }));
    return {
      tenant: 'zoo',
      batchId: '20261129T000000Z-plannr',
      ingestionId: `20261129T000000Z-plannr-${randomUUID().replace(/-/g, '').slice(0, 10)}`,
      fileName,
      format: 'csv',
      key,
      versionId: put.VersionId,
      etag: (put.ETag ?? '').replace(/"/g, ''),
      version: put.VersionId ?? 'version',
      size: body.length,
    };
  }

  /** A cutter of the ingest bucket's files into chunks of `chunkSize` bytes, checkpointed in `chunks`, its tasks sent to the test's queue. */
  function cutterOf(chunks: ChunkStore, chunkSize: number): ChunkCutter {
    const tasks = new ChunkTaskQueue(sqs, () => queueUrl.split('/').pop() as string);
    return new ChunkCutter(new UploadText(new IngestBucket(createS3Client(config), config.ingestBucket)), chunks, tasks, chunkSize, systemClock);
  }

  it('hands the rest of the file on when out of time, and the chain of invocations cuts it exactly as one scan would', async () => {
    const body = csv(30_000);
    const upload = await putUpload('cutter.csv', body);
    const chunks = new ChunkStore(client, topology.platformKeyspace);
    const cutter = cutterOf(chunks, 2048);

    // A budget already spent: every invocation plans what it can before its first check, then hands on.
    let progress = await cutter.cut(upload, undefined, 0);
    const validated: ChunkSpan[] = [];
    let invocations = 1;
    while (!progress.done) {
      const tasks = await drain();
      validated.push(...tasks.flatMap((task) => (task.kind === 'validate' ? [task.chunk] : [])));
      const next = tasks.find((task) => task.kind === 'plan');
      expect(next).toBeDefined();
      if (next?.kind !== 'plan') break;
      progress = await cutter.cut(upload, next.state, 0);
      invocations += 1;
    }
    validated.push(...(await drain()).flatMap((task) => (task.kind === 'validate' ? [task.chunk] : [])));

    const scan = new ChunkBoundaries('csv', 2048);
    const expected = scan.feed(body);
    const last = scan.finish(body.length);
    if (last) expected.push(last);
    expect(invocations).toBeGreaterThan(3);
    expect(progress.total).toBe(expected.length);
    expect([...validated].sort((a, b) => a.index - b.index)).toEqual(expected);
    const stored = await chunks.list({ tenant: upload.tenant, ingestionId: upload.ingestionId, version: upload.version });
    expect(stored.map(({ index, start, end, positionOffset }) => ({ index, start, end, positionOffset }))).toEqual(expected);
  });

  it('refuses a binary file while it cuts it, before any chunk of it is validated', async () => {
    const body = Buffer.concat([csv(500), Buffer.from([0x00, 0x01, 0x02]), csv(10)]);
    const upload = await putUpload('binary.csv', body);
    const cutter = cutterOf(new ChunkStore(client, topology.platformKeyspace), 1024 * 1024);
    await expect(cutter.cut(upload, undefined, Date.now() + 60_000)).rejects.toThrow(`the file is not UTF-8 text: byte ${csv(500).length} is a NUL byte`);
    expect(await drain()).toEqual([]);
  });
});
