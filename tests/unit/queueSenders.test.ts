import { ServiceUnavailableError } from '../../layers/platform/src/errors';
import { decodeChunkTask, describeChunk, encodeChunkTask, type ChunkTask } from '../../layers/platform/src/ingest/files/ChunkTask';
import { ChunkTaskQueue } from '../../layers/platform/src/ingest/files/ChunkTaskQueue';
import { decodePack } from '../../layers/platform/src/stream/StreamPack';
import { StreamQueueSender } from '../../layers/platform/src/stream/StreamQueueSender';
import { topology } from './fakes/fakeBatchIngestDependencies';
import { FakeSqsClient } from './fakes/FakeSqsClient';

const upload = {
  tenant: 'zoo',
  batchId: '20261130T120000Z-abcdef',
  ingestionId: '20261130T120000Z-abcdef-0123456789',
  fileName: 'a.csv',
  format: 'csv' as const,
  key: 'tenants/zoo/incoming/20261130T120000Z-abcdef/a.csv',
  versionId: 'v1',
  etag: 'e1',
  version: 'v1',
  size: 1000,
};

function validate(index: number): ChunkTask {
  return { kind: 'validate', upload, chunk: { index, start: index * 100, end: index * 100 + 100, positionOffset: 0 }, header: { end: 10, newlines: 1 } };
}

describe('the chunk queue', () => {
  it('sends tasks in batches of 10, each body the task with its tenant on top', async () => {
    const sqs = new FakeSqsClient();
    const queue = new ChunkTaskQueue(sqs.asClient(), () => 'unit-chunks');
    const tasks = Array.from({ length: 23 }, (_, index) => validate(index));
    await queue.send(tasks, 30);
    expect(sqs.sent.map(({ input }) => (input.Entries as unknown[]).length)).toEqual([10, 10, 3]);
    const [first] = sqs.sent[0]?.input.Entries as Array<{ Id: string; MessageBody: string; DelaySeconds: number }>;
    expect(first).toEqual({ Id: '0', MessageBody: encodeChunkTask(tasks[0] as ChunkTask), DelaySeconds: 30 });
    expect(JSON.parse(first?.MessageBody ?? '{}')).toMatchObject({ tenant: 'zoo', kind: 'validate' });
    expect(sqs.sent[0]?.input.QueueUrl).toBe('http://127.0.0.1/queue/unit-chunks');
  });

  it("sends each task to its own tenant's queue", async () => {
    const sqs = new FakeSqsClient();
    const queue = new ChunkTaskQueue(sqs.asClient(), (tenant) => `unit-chunks-${tenant}`);
    const shop = { ...validate(1), upload: { ...upload, tenant: 'shop' } };
    await queue.send([validate(0), shop, validate(2)]);
    const sent = sqs.sent.map(({ input }) => ({
      queue: input.QueueUrl,
      tenants: (input.Entries as Array<{ MessageBody: string }>).map((entry) => (JSON.parse(entry.MessageBody) as { tenant: string }).tenant),
    }));
    expect(sent).toEqual([
      { queue: 'http://127.0.0.1/queue/unit-chunks-zoo', tenants: ['zoo', 'zoo'] },
      { queue: 'http://127.0.0.1/queue/unit-chunks-shop', tenants: ['shop'] },
    ]);
  });

  it('throws an outage when SQS did not take every task (a retry sends them again)', async () => {
    const sqs = new FakeSqsClient();
    sqs.reply('SendMessageBatchCommand', () => ({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] }));
    await expect(new ChunkTaskQueue(sqs.asClient(), () => 'unit-chunks').send([validate(0)])).rejects.toEqual(
      new ServiceUnavailableError('SQS refused 1 chunk tasks: InternalError'),
    );
  });

  it('reads a task back from its body, and nothing from a body that is no task', () => {
    expect(decodeChunkTask(encodeChunkTask(validate(3)))).toEqual(validate(3));
    // The object version is `run` in queue messages, as the messages in flight carry it.
    const { upload: wire } = JSON.parse(encodeChunkTask(validate(3))) as { upload: Record<string, unknown> };
    expect(wire).toMatchObject({ run: 'v1' });
    expect(wire).not.toHaveProperty('version');
    // An upload's file task carries the object as its notification named it, and goes to its tenant's queue.
    const file: ChunkTask = { kind: 'file', tenant: 'zoo', object: { key: upload.key, size: 10, etag: 'e1', versionId: 'v1' } };
    expect(decodeChunkTask(encodeChunkTask(file))).toEqual(file);
    expect(decodeChunkTask('{"kind":"file","tenant":"zoo","object":{"size":10}}')).toBeUndefined();
    expect(decodeChunkTask('not json')).toBeUndefined();
    expect(decodeChunkTask('{"kind":"write"}')).toBeUndefined();
    expect(describeChunk({ index: 2, start: 200, end: 300, positionOffset: 0 }, 5)).toBe('chunk 3 of 5 (bytes 200-299)');
  });
});

describe("a tenant's stream queue sender", () => {
  const publishedAt = new Date(Date.UTC(2026, 10, 30, 12));

  it('sends messages packed to the tenant queue, a lone one with its id and time as attributes', async () => {
    const sqs = new FakeSqsClient();
    const sender = new StreamQueueSender(sqs.asClient(), topology);
    expect(await sender.send('zoo', [{ messageId: 'm1', publishedAt, body: '{"t":1}' }])).toEqual({ sent: 1, failed: [] });
    const [sent] = sqs.sent;
    expect(sent?.input.QueueUrl).toBe('http://127.0.0.1/queue/mysimbdp-unit-stream-zoo');
    expect(sent?.input.MessageAttributes).toEqual({
      format: { DataType: 'String', StringValue: 'mysimbdp-pack/1' },
      messageId: { DataType: 'String', StringValue: 'm1' },
      publishedAt: { DataType: 'Number', StringValue: String(publishedAt.getTime()) },
    });
    expect(decodePack(sent?.input.MessageBody as string)).toEqual([{ messageId: 'm1', publishedAt, attempts: 0, body: { t: 1 }, bytes: 7 }]);
  });

  it('puts messages back with a delay of at most 15 minutes, and dead-letters them with the reason', async () => {
    const sqs = new FakeSqsClient();
    const sender = new StreamQueueSender(sqs.asClient(), topology);
    const messages = [
      { messageId: 'm1', publishedAt, text: 'a', attempts: 1 },
      { messageId: 'm2', publishedAt, text: 'b', attempts: 1 },
    ];
    await sender.retry('zoo', messages, 5000);
    await sender.deadLetter('zoo', messages, 'message m1: bad');
    expect(
      sqs.sent.map(({ input }) => [
        input.QueueUrl,
        input.DelaySeconds,
        (input.MessageAttributes as Record<string, { StringValue: string }>).reason?.StringValue,
      ]),
    ).toEqual([
      ['http://127.0.0.1/queue/mysimbdp-unit-stream-zoo', 900, undefined],
      ['http://127.0.0.1/queue/mysimbdp-unit-stream-zoo-dlq', undefined, 'message m1: bad'],
    ]);
  });

  it('reports each message SQS refused, with why', async () => {
    const sqs = new FakeSqsClient();
    const sender = new StreamQueueSender(sqs.asClient(), topology);
    sqs.reply('SendMessageCommand', () => {
      throw new Error('throttled');
    });
    expect(await sender.send('zoo', [{ messageId: 'm1', publishedAt, body: 'x' }])).toEqual({ sent: 0, failed: [{ messageId: 'm1', reason: 'throttled' }] });
  });
});
