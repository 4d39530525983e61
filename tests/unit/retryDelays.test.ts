import type { SQSRecord } from 'aws-lambda';
import { handBack } from '../../functions/sqs/handBack';
import { HAND_BACK_ATTRIBUTES } from '../../layers/platform/src/deadLetters/handBackProtocol';
import { ServiceUnavailableError } from '../../layers/platform/src/errors';
import { retryDelaySeconds } from '../../layers/platform/src/stream/StreamIngestPipeline';
import { FakeClock } from './fakes/FakeClock';
import { FakeSqsClient } from './fakes/FakeSqsClient';

let queues = 0;

/** A record of a queue of its own (queue URLs are looked up once per queue), with hand-back attributes. */
function delivery(receiveCount: number, attributes: Partial<Record<keyof typeof HAND_BACK_ATTRIBUTES, string>> = {}): SQSRecord {
  const record = FakeSqsClient.record(`unit-retry-${(queues += 1)}`, '{}', receiveCount);
  return {
    ...record,
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([name, value]) => [name, { stringValue: value, dataType: 'Number', stringListValues: [], binaryListValues: [] }]),
    ),
  };
}

/** The time outages are measured by: held still, so that 900 s since an outage began is exactly 900 s. */
const clock = new FakeClock();
const policy = { maxReceiveCount: 3, retryDelaySeconds: (n: number) => 10 * 2 ** (n - 1), clock };

async function outageDelay(outageRetries: number, options: { retryAfterSeconds?: number; outage?: { maxDelaySeconds?: number } } = {}): Promise<unknown> {
  const sqs = new FakeSqsClient();
  const record = delivery(1, { outageRetries: String(outageRetries), outageSince: String(clock.now() - 1000) });
  const error = new ServiceUnavailableError('down', { service: 'cassandra', retryAfterSeconds: options.retryAfterSeconds ?? 1 });
  expect(await handBack(sqs.asClient(), [{ record, error }], { ...policy, outage: options.outage })).toEqual([]);
  return sqs.sent[0]?.input.DelaySeconds;
}

describe('retry delays', () => {
  it('waits out an outage from 5 s, doubling on every re-send, up to 5 minutes', async () => {
    const delays = [];
    for (const retries of [0, 1, 2, 3, 4, 5, 6, 10]) delays.push(await outageDelay(retries));
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 300, 300]);
  });

  it('waits at least what the service asked for, and never longer than SQS can delay a message (15 minutes)', async () => {
    expect(await outageDelay(0, { retryAfterSeconds: 45 })).toBe(45);
    expect(await outageDelay(20, { outage: { maxDelaySeconds: 3600 } })).toBe(900);
  });

  it('waits an outage out for 15 minutes from its first failure; past that, the message uses a try', async () => {
    const error = new ServiceUnavailableError('still down', { service: 's3' });
    const within = new FakeSqsClient();
    const young = delivery(1, { outageRetries: '7', outageSince: String(clock.now() - 899_000) });
    expect(await handBack(within.asClient(), [{ record: young, error }], policy)).toEqual([]);
    expect(within.sent.map(({ command }) => command)).toEqual(['SendMessageCommand']);

    const past = new FakeSqsClient();
    const old = delivery(1, { outageRetries: '8', outageSince: String(clock.now() - 900_000) });
    expect(await handBack(past.asClient(), [{ record: old, error }], policy)).toEqual([{ itemIdentifier: old.messageId }]);
    expect(past.sent.map(({ command, input }) => [command, input.VisibilityTimeout])).toEqual([['ChangeMessageVisibilityCommand', 10]]);
  });

  it('retries an error of the input after 10 s, then 20 s, at most 12 hours (what SQS allows), and dead-letters it on the last try', async () => {
    const delays: unknown[] = [];
    for (const receiveCount of [1, 2]) {
      const sqs = new FakeSqsClient();
      await handBack(sqs.asClient(), [{ record: delivery(receiveCount), error: new Error('bad') }], policy);
      delays.push(sqs.sent[0]?.input.VisibilityTimeout);
    }
    const sqs = new FakeSqsClient();
    await handBack(sqs.asClient(), [{ record: delivery(1), error: new Error('bad') }], { maxReceiveCount: 100, retryDelaySeconds: () => 10 ** 9 });
    delays.push(sqs.sent[0]?.input.VisibilityTimeout);
    expect(delays).toEqual([10, 20, 43_200]);

    const last = new FakeSqsClient();
    const told: number[] = [];
    const record = delivery(3);
    await handBack(last.asClient(), [{ record, error: new TypeError('no such column') }], {
      ...policy,
      onDeadLetter: (_record, _error, receiveCount) => {
        told.push(receiveCount);
        return Promise.reject(new Error('the record store is down too'));
      },
    });
    expect(last.sent.map(({ input }) => [input.QueueUrl, (input.MessageAttributes as Record<string, { StringValue: string }>).reason?.StringValue])).toEqual([
      [`http://127.0.0.1/queue/${record.eventSourceARN.split(':').pop()}-dlq`, 'TypeError: no such column (try 3 of 3)'],
    ]);
    expect(told).toEqual([3]);
  });

  it('puts a failed message of a stream pack back after 2 s, doubling, at most 5 minutes', () => {
    expect(Array.from({ length: 10 }, (_, index) => retryDelaySeconds(index + 1))).toEqual([2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
  });
});
