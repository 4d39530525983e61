import type { SQSClient } from '@aws-sdk/client-sqs';
import { expect } from '@jest/globals';
import type { SQSRecord } from 'aws-lambda';
import cassandra from 'cassandra-driver';
import { handBack, receiveCountOf } from '../../functions/sqs/handBack';
import { HAND_BACK_ATTRIBUTES } from '../../layers/platform/src/deadLetters/handBackProtocol';
import { DeferredError, ServiceUnavailableError } from '../../layers/platform/src/errors';
import { FakeClock } from './fakes/FakeClock';

/** Records every SQS request the hand-back makes; answers as SQS would. */
function recordingSqs(refuse = false): { sqs: SQSClient; sent: Array<{ command: string; input: Record<string, unknown> }> } {
  const sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  const sqs = {
    send: (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const name = command.constructor.name;
      if (name === 'GetQueueUrlCommand') return Promise.resolve({ QueueUrl: `http://sqs/${String(command.input.QueueName)}` });
      sent.push({ command: name, input: command.input });
      if (refuse) return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' }));
      return Promise.resolve({});
    },
  } as unknown as SQSClient;
  return { sqs, sent };
}

let next = 0;
function record(receiveCount: number, attributes: Record<string, string> = {}, queue = `unit-queue-${(next += 1)}`): SQSRecord {
  return {
    messageId: `m-${next}`,
    receiptHandle: `r-${next}`,
    body: '{"x":1}',
    attributes: { ApproximateReceiveCount: String(receiveCount) } as SQSRecord['attributes'],
    messageAttributes: Object.fromEntries(
      Object.entries({ format: 'mysimbdp-pack/1', ...attributes }).map(([name, value]) => [
        name,
        { stringValue: value, dataType: name === 'format' ? 'String' : 'Number', stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

/** The time outages are measured by, held still. */
const clock = new FakeClock();
const policy = { maxReceiveCount: 3, retryDelaySeconds: (n: number) => 10 * n, clock };

describe('handing failed SQS records back', () => {
  it('puts a message back with a delay when a service is down, reports it done and keeps its tries', async () => {
    const { sqs, sent } = recordingSqs();
    const failing = record(2);
    const failed = await handBack(sqs, [{ record: failing, error: new cassandra.errors.NoHostAvailableError({}) }], policy);
    expect(failed).toEqual([]);
    expect(sent).toHaveLength(1);
    const [resend] = sent;
    expect(resend?.command).toBe('SendMessageCommand');
    expect(resend?.input).toMatchObject({ QueueUrl: `http://sqs/${failing.eventSourceARN.split(':').pop()}`, MessageBody: '{"x":1}', DelaySeconds: 5 });
    const attributes = resend?.input.MessageAttributes as Record<string, { StringValue: string }>;
    expect(attributes.format?.StringValue).toBe('mysimbdp-pack/1');
    expect(attributes[HAND_BACK_ATTRIBUTES.outageRetries]?.StringValue).toBe('1');
    expect(attributes[HAND_BACK_ATTRIBUTES.priorReceives]?.StringValue).toBe('1');
    expect(attributes[HAND_BACK_ATTRIBUTES.outageSince]?.StringValue).toBe(String(clock.now()));
  });

  it('doubles the outage delay up to the cap, and after the budget takes the path of a failed try', async () => {
    const { sqs, sent } = recordingSqs();
    const since = String(clock.now() - 60_000);
    await handBack(
      sqs,
      [{ record: record(1, { outageRetries: '4', outageSince: since }), error: new ServiceUnavailableError('down', { service: 's3', retryAfterSeconds: 1 }) }],
      { ...policy, outage: { maxDelaySeconds: 60 } },
    );
    expect(sent[0]?.input.DelaySeconds).toBe(60);
    expect((sent[0]?.input.MessageAttributes as Record<string, { StringValue: string }>).outageSince?.StringValue).toBe(since);

    const spent = recordingSqs();
    const late = record(1, { outageRetries: '9', outageSince: String(clock.now() - 900_000) });
    const failed = await handBack(spent.sqs, [{ record: late, error: new ServiceUnavailableError('still down') }], policy);
    expect(failed).toEqual([{ itemIdentifier: late.messageId }]);
    expect(spent.sent).toEqual([{ command: 'ChangeMessageVisibilityCommand', input: expect.objectContaining({ VisibilityTimeout: 10 }) }]);
  });

  it('retries an error of the input after its delay, then dead-letters it on the last try with the reason', async () => {
    const { sqs, sent } = recordingSqs();
    const first = record(1);
    expect(await handBack(sqs, [{ record: first, error: new Error('line 3: bad value') }], policy)).toEqual([{ itemIdentifier: first.messageId }]);
    expect(sent).toEqual([
      { command: 'ChangeMessageVisibilityCommand', input: expect.objectContaining({ ReceiptHandle: first.receiptHandle, VisibilityTimeout: 10 }) },
    ]);

    const dlq = recordingSqs();
    const last = record(2, { priorReceives: '1' }, 'unit-stream');
    expect(receiveCountOf(last)).toBe(3);
    expect(await handBack(dlq.sqs, [{ record: last, error: new Error('line 3: bad value') }], policy)).toEqual([]);
    expect(dlq.sent).toHaveLength(1);
    expect(dlq.sent[0]?.input.QueueUrl).toBe('http://sqs/unit-stream-dlq');
    expect((dlq.sent[0]?.input.MessageAttributes as Record<string, { StringValue: string }>).reason?.StringValue).toBe('line 3: bad value (try 3 of 3)');
  });

  it('lets a deferred message wait without a budget or a try', async () => {
    const { sqs, sent } = recordingSqs();
    const waiting = record(1, { outageSince: String(clock.now() - 3_600_000) });
    expect(await handBack(sqs, [{ record: waiting, error: new DeferredError('tenant x is disabled', 30) }], policy)).toEqual([]);
    expect(sent[0]?.input).toMatchObject({ DelaySeconds: 30 });
    expect((sent[0]?.input.MessageAttributes as Record<string, unknown>).priorReceives).toBeUndefined();
  });

  it('reports the record failed when SQS refuses the re-send, so SQS redelivers it', async () => {
    const { sqs } = recordingSqs(true);
    const failing = record(1);
    expect(await handBack(sqs, [{ record: failing, error: new cassandra.errors.OperationTimedOutError('timeout') }], policy)).toEqual([
      { itemIdentifier: failing.messageId },
    ]);
  });
});
