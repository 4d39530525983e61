import { QueueDoesNotExist, type Message } from '@aws-sdk/client-sqs';
import { DeadLetters, tenantOfDeadLetter } from '../../layers/platform/src/deadLetters/DeadLetters';
import { topology } from './fakes/fakeBatchIngestDependencies';
import { FakeSqsClient } from './fakes/FakeSqsClient';

const BATCH_DLQ = 'mysimbdp-unit-batch-ingest-dlq';
const CHUNKS_DLQ = 'mysimbdp-unit-chunks-zoo-dlq';
const STREAM_DLQ = 'mysimbdp-unit-stream-zoo-dlq';

function notification(tenant: string): string {
  return JSON.stringify({
    Records: [{ eventName: 'ObjectCreated:Post', s3: { object: { key: `tenants/${tenant}/incoming/20261130T120000Z-abcdef/a.csv`, size: 3 } } }],
  });
}

function message(id: string, body: string, reason: string | undefined, sentAt: number): Message {
  return {
    MessageId: id,
    ReceiptHandle: `receipt-${id}`,
    Body: body,
    Attributes: { SentTimestamp: String(sentAt) },
    MessageAttributes: {
      ...(reason ? { reason: { DataType: 'String', StringValue: reason } } : {}),
      priorReceives: { DataType: 'Number', StringValue: '2' },
      format: { DataType: 'String', StringValue: 'x' },
    },
  };
}

const pack = JSON.stringify({ format: 'mysimbdp-pack/1', messages: [{ id: 'm1', publishedAt: 1, attempts: 3, bytes: 2, json: {} }] });

/** Dead-letter queues as SQS holds them: every receive returns the whole queue (a scan stops when nothing new comes). */
function setUp(queues: Record<string, Message[]>, missing: readonly string[] = []) {
  const sqs = new FakeSqsClient();
  sqs.reply('GetQueueUrlCommand', (input) => {
    if (missing.includes(String(input.QueueName))) throw new QueueDoesNotExist({ message: 'no such queue', $metadata: {} });
    return { QueueUrl: `http://127.0.0.1/queue/${String(input.QueueName)}` };
  });
  sqs.reply('ReceiveMessageCommand', (input) => ({ Messages: queues[String(input.QueueUrl).split('/').pop() as string] ?? [] }));
  sqs.reply('GetQueueAttributesCommand', () => ({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '1' } }));
  return { sqs, deadLetters: new DeadLetters(sqs.asClient(), topology, { scanLimit: 100 }) };
}

const sent = (sqs: FakeSqsClient, command: string) => sqs.sent.filter((each) => each.command === command).map(({ input }) => input);

describe('dead letters', () => {
  it("tells a tenant's dead letters from the shared queues by their bodies", () => {
    expect(tenantOfDeadLetter('batch', notification('zoo'))).toBe('zoo');
    expect(tenantOfDeadLetter('chunks', '{"tenant":"shop","kind":"write"}')).toBe('shop');
    expect(tenantOfDeadLetter('chunks', 'not json')).toBeUndefined();
    expect(tenantOfDeadLetter('batch', '{"Event":"s3:TestEvent"}')).toBeUndefined();
  });

  it("lists a tenant's dead letters per queue: how many, the oldest, and why, most frequent first; then lets them be seen again", async () => {
    const { sqs, deadLetters } = setUp({
      [BATCH_DLQ]: [
        message('b1', notification('zoo'), 'too slow (try 3 of 3)', Date.UTC(2026, 10, 30, 10)),
        message('b2', notification('zoo'), 'bad (try 3 of 3)', Date.UTC(2026, 10, 30, 9)),
        message('b3', notification('zoo'), 'bad (try 3 of 3)', Date.UTC(2026, 10, 30, 11)),
        message('b4', notification('shop'), 'other', Date.UTC(2026, 10, 30, 8)),
      ],
      [CHUNKS_DLQ]: [message('c1', '{"tenant":"zoo"}', undefined, Date.UTC(2026, 10, 30, 12))],
      [STREAM_DLQ]: [message('s1', pack, 'message m1: bad', Date.UTC(2026, 10, 30, 7))],
    });
    const listing = await deadLetters.list(['zoo']);
    expect(listing.get('zoo')).toEqual([
      {
        kind: 'batch',
        queue: BATCH_DLQ,
        count: 3,
        oldest: '2026-11-30T09:00:00.000Z',
        reasons: [
          { reason: 'bad (try 3 of 3)', count: 2 },
          { reason: 'too slow (try 3 of 3)', count: 1 },
        ],
        complete: true,
      },
      // A tenant's own queue: its count is what the queue says it holds (4: 3 visible, 1 in flight) when the scan saw fewer.
      {
        kind: 'chunks',
        queue: CHUNKS_DLQ,
        count: 4,
        oldest: '2026-11-30T12:00:00.000Z',
        reasons: [{ reason: "no reason recorded (moved by SQS's redrive policy)", count: 1 }],
        complete: true,
      },
      // The same for its stream's.
      { kind: 'stream', queue: STREAM_DLQ, count: 4, oldest: '2026-11-30T07:00:00.000Z', reasons: [{ reason: 'message m1: bad', count: 1 }], complete: true },
    ]);
    const released = sent(sqs, 'ChangeMessageVisibilityBatchCommand').flatMap((input) =>
      (input.Entries as Array<{ ReceiptHandle: string; VisibilityTimeout: number }>).map((entry) => [entry.ReceiptHandle, entry.VisibilityTimeout]),
    );
    expect(released).toEqual(['b1', 'b2', 'b3', 'b4', 'c1', 's1'].map((id) => [`receipt-${id}`, 0]));
    expect(sent(sqs, 'SendMessageCommand')).toEqual([]);
  });

  it("moves only the chosen tenant's dead letters back, without their try counters, a stream pack with its tries reset", async () => {
    const { sqs, deadLetters } = setUp({
      [BATCH_DLQ]: [message('b1', notification('zoo'), 'bad', 1), message('b2', notification('shop'), 'bad', 1)],
      [STREAM_DLQ]: [message('s1', pack, 'message m1: bad', 1)],
    });
    expect(await deadLetters.redrive(['zoo'], ['batch', 'stream'], { dryRun: false })).toEqual([
      { kind: 'batch', tenant: 'zoo', queue: BATCH_DLQ, moved: 1 },
      { kind: 'stream', tenant: 'zoo', queue: STREAM_DLQ, moved: 1 },
    ]);
    expect(sent(sqs, 'SendMessageCommand')).toEqual([
      {
        QueueUrl: 'http://127.0.0.1/queue/mysimbdp-unit-batch-ingest',
        MessageBody: notification('zoo'),
        MessageAttributes: { format: { DataType: 'String', StringValue: 'x' } },
      },
      {
        QueueUrl: 'http://127.0.0.1/queue/mysimbdp-unit-stream-zoo',
        MessageBody: JSON.stringify({ format: 'mysimbdp-pack/1', messages: [{ id: 'm1', publishedAt: 1, attempts: 0, bytes: 2, json: {} }] }),
        MessageAttributes: { format: { DataType: 'String', StringValue: 'x' } },
      },
    ]);
    expect(
      sent(sqs, 'DeleteMessageBatchCommand').map((input) => [
        input.QueueUrl,
        (input.Entries as Array<{ ReceiptHandle: string }>).map((entry) => entry.ReceiptHandle),
      ]),
    ).toEqual([
      [`http://127.0.0.1/queue/${BATCH_DLQ}`, ['receipt-b1']],
      [`http://127.0.0.1/queue/${STREAM_DLQ}`, ['receipt-s1']],
    ]);
    // The other tenant's dead letter is let go at once.
    expect(
      sent(sqs, 'ChangeMessageVisibilityBatchCommand').map((input) => (input.Entries as Array<{ ReceiptHandle: string }>).map((entry) => entry.ReceiptHandle)),
    ).toEqual([['receipt-b2']]);
  });

  it('only counts on a dry run, and finds nothing in a queue the stage does not have', async () => {
    const { sqs, deadLetters } = setUp({ [BATCH_DLQ]: [message('b1', notification('zoo'), 'bad', 1)] }, [CHUNKS_DLQ]);
    expect(await deadLetters.redrive(['zoo'], ['batch', 'chunks'], { dryRun: true })).toEqual([
      { kind: 'batch', tenant: 'zoo', queue: BATCH_DLQ, moved: 1 },
      { kind: 'chunks', tenant: 'zoo', queue: CHUNKS_DLQ, moved: 0 },
    ]);
    expect(sent(sqs, 'SendMessageCommand')).toEqual([]);
    expect(sent(sqs, 'DeleteMessageBatchCommand')).toEqual([]);
  });

  it("keeps a tenant's listing for the cache period", async () => {
    const { sqs, deadLetters } = setUp({});
    await deadLetters.ofTenant('zoo', ['batch']);
    await deadLetters.ofTenant('zoo', ['batch']);
    expect(sent(sqs, 'ReceiveMessageCommand')).toHaveLength(1);
  });
});
