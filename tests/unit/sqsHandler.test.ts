import { expect } from '@jest/globals';
import type { Context, SQSRecord } from 'aws-lambda';
import cassandra from 'cassandra-driver';
import { sqsHandler, type SqsHandlerPolicy } from '../../functions/sqs/sqsHandler';
import { HAND_BACK_ATTRIBUTES } from '../../layers/platform/src/deadLetters/handBackProtocol';
import { DeferredError } from '../../layers/platform/src/errors';
import { FakeClock } from './fakes/FakeClock';
import { FakeSqsClient } from './fakes/FakeSqsClient';

let queues = 0;

/** A batch of `count` records of a queue of their own, each on its `receiveCount`th delivery, bodies "0", "1", ... */
function batch(count: number, receiveCount = 1): SQSRecord[] {
  const queue = `unit-handler-${(queues += 1)}`;
  return Array.from({ length: count }, (_, index) => FakeSqsClient.record(queue, String(index), receiveCount, `m-${index}`));
}

/** The Lambda context the function's logger middleware is handed. */
const context = { functionName: 'unit-sqs', awsRequestId: 'unit-request' } as Context;

const clock = new FakeClock();

/** What onDeadLetter was told. */
interface DeadLettered {
  readonly body: string;
  readonly error: unknown;
  readonly tries: number;
}

function policyOf(sqs: FakeSqsClient, deadLettered: DeadLettered[] = []): SqsHandlerPolicy {
  return {
    what: 'unit record',
    sqs: sqs.asClient(),
    maxReceiveCount: 3,
    retryDelaySeconds: (receiveCount) => 10 * receiveCount,
    clock,
    onDeadLetter: (record, error, tries) => {
      deadLettered.push({ body: record.body, error, tries });
      return Promise.resolve();
    },
  };
}

describe('the SQS handler of the queue functions', () => {
  it('handles every record and reports only those that failed (partial batch response)', async () => {
    const sqs = new FakeSqsClient();
    const handled: string[] = [];
    const handler = sqsHandler((record) => {
      handled.push(record.body);
      return record.body === '1' ? Promise.reject(new Error('line 1: bad value')) : Promise.resolve();
    }, policyOf(sqs));
    const records = batch(3);
    expect(await handler({ Records: records }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(handled).toEqual(['0', '1', '2']);
    // The failed record comes back after its retry delay.
    expect(sqs.sent).toEqual([
      { command: 'ChangeMessageVisibilityCommand', input: expect.objectContaining({ ReceiptHandle: 'receipt-m-1', VisibilityTimeout: 10 }) },
    ]);
  });

  it("handles a group handler's groups at once, each group's records together in the order they came, handing back a group that throws", async () => {
    const sqs = new FakeSqsClient();
    let running = 0;
    let most = 0;
    const seen: Array<[string, string[]]> = [];
    const handler = sqsHandler(
      {
        groupOf: (record) => (Number(record.body) % 2 === 0 ? 'even' : 'odd'),
        handle: async (group, records) => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setImmediate(resolve));
          running -= 1;
          seen.push([group, records.map((record) => record.body)]);
          if (group === 'odd') throw new Error('line 1: bad value');
          return [];
        },
      },
      policyOf(sqs),
    );
    expect(await handler({ Records: batch(5) }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-3' }] });
    expect(most).toBe(2);
    expect(Object.fromEntries(seen)).toEqual({ even: ['0', '2', '4'], odd: ['1', '3'] });
  });

  it("handles a record handler's records one after the other", async () => {
    const sqs = new FakeSqsClient();
    let running = 0;
    let most = 0;
    const order: string[] = [];
    const handler = sqsHandler(async (record) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      order.push(record.body);
    }, policyOf(sqs));
    expect(await handler({ Records: batch(4) }, context)).toEqual({ batchItemFailures: [] });
    expect([most, order]).toEqual([1, ['0', '1', '2', '3']]);
  });

  it('waits an outage out without using a try, and reports the record done', async () => {
    const sqs = new FakeSqsClient();
    const deadLettered: DeadLettered[] = [];
    const handler = sqsHandler(() => Promise.reject(new cassandra.errors.NoHostAvailableError({})), policyOf(sqs, deadLettered));
    // Even on its last try: an outage uses none.
    expect(await handler({ Records: batch(1, 3) }, context)).toEqual({ batchItemFailures: [] });
    expect(sqs.sent.map(({ command }) => command)).toEqual(['SendMessageCommand']);
    const attributes = sqs.sent[0]?.input.MessageAttributes as Record<string, { StringValue: string }>;
    expect(attributes[HAND_BACK_ATTRIBUTES.outageRetries]?.StringValue).toBe('1');
    expect(attributes[HAND_BACK_ATTRIBUTES.priorReceives]?.StringValue).toBe('2');
    expect(deadLettered).toEqual([]);
  });

  it('lets a deferred record wait, using no try', async () => {
    const sqs = new FakeSqsClient();
    const handler = sqsHandler(() => Promise.reject(new DeferredError('tenant zoo is disabled', 30)), policyOf(sqs));
    expect(await handler({ Records: batch(1, 3) }, context)).toEqual({ batchItemFailures: [] });
    expect(sqs.sent).toEqual([{ command: 'SendMessageCommand', input: expect.objectContaining({ DelaySeconds: 30 }) }]);
  });

  it('dead-letters an error of the input on its last try with the reason, and tells onDeadLetter', async () => {
    const sqs = new FakeSqsClient();
    const deadLettered: DeadLettered[] = [];
    const handler = sqsHandler(() => Promise.reject(new Error('line 3: bad value')), policyOf(sqs, deadLettered));
    const [last] = batch(1, 3);
    expect(await handler({ Records: [last as SQSRecord] }, context)).toEqual({ batchItemFailures: [] });
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.input.QueueUrl).toBe(`http://127.0.0.1/queue/${String(last?.eventSourceARN.split(':').pop())}-dlq`);
    const attributes = sqs.sent[0]?.input.MessageAttributes as Record<string, { StringValue: string }>;
    expect(attributes[HAND_BACK_ATTRIBUTES.reason]?.StringValue).toBe('line 3: bad value (try 3 of 3)');
    expect(deadLettered).toEqual([{ body: '0', error: new Error('line 3: bad value'), tries: 3 }]);
  });

  it("handles a group's records together: reports the failures it returns, with the group's tries, and fails the whole group when it throws", async () => {
    const sqs = new FakeSqsClient();
    const deadLettered: DeadLettered[] = [];
    const records = batch(4, 2);
    const groups: Array<[string, string[]]> = [];
    const handler = sqsHandler(
      {
        groupOf: (record) => (Number(record.body) % 2 === 0 ? 'even' : 'odd'),
        // The even group's records get 2 tries (this, their second, is their last); the odd ones the policy's 3.
        maxReceiveCount: (group) => Promise.resolve(group === 'even' ? 2 : undefined),
        handle: (group, members) => {
          groups.push([group, members.map((record) => record.body)]);
          if (group === 'odd') return Promise.reject(new Error('the app crashed'));
          return Promise.resolve(members.filter((record) => record.body === '2').map((record) => ({ record, error: new Error('bad message') })));
        },
      },
      policyOf(sqs, deadLettered),
    );
    expect(await handler({ Records: records }, context)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-3' }] });
    expect(groups).toEqual([
      ['even', ['0', '2']],
      ['odd', ['1', '3']],
    ]);
    expect(deadLettered).toEqual([{ body: '2', error: new Error('bad message'), tries: 2 }]);
    expect(sqs.sent.map(({ command, input }) => [command, input.ReceiptHandle ?? input.QueueUrl])).toEqual(
      expect.arrayContaining([
        ['ChangeMessageVisibilityCommand', 'receipt-m-1'],
        ['ChangeMessageVisibilityCommand', 'receipt-m-3'],
        ['SendMessageCommand', expect.stringMatching(/-dlq$/)],
      ]),
    );
  });
});
