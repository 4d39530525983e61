import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { handBack, receiveCountOf } from '../../functions/sqs/handBack';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { config, waitFor } from '../helpers/testPlatform';

const sqs = createSqsClient(config);
const name = `mysimbdp-test-handback-${randomUUID().slice(0, 8)}`;
let queueUrl: string;
let deadLetterUrl: string;

/** A received message as the SQS event source hands it to a function. */
function asRecord(message: Message): SQSRecord {
  return {
    messageId: message.MessageId as string,
    receiptHandle: message.ReceiptHandle as string,
    body: message.Body as string,
    attributes: message.Attributes as unknown as SQSRecord['attributes'],
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
        key,
        { stringValue: value.StringValue, dataType: value.DataType as string, stringListValues: [], binaryListValues: [] },
      ]),
    ),
    md5OfBody: message.MD5OfBody as string,
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    awsRegion: 'us-east-1',
  };
}

async function receiveOne(url: string, timeoutMs = 30_000): Promise<Message> {
  return waitFor(
    'a message',
    async () =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, AttributeNames: ['All'], MessageAttributeNames: ['All'] }))).Messages?.[0],
    timeoutMs,
    100,
  );
}

/** What the event source does after the function returns: delete what was not reported failed. */
async function settle(message: Message, failed: Array<{ itemIdentifier: string }>): Promise<void> {
  if (!failed.some((item) => item.itemIdentifier === message.MessageId)) {
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
}

const policy = { maxReceiveCount: 3, retryDelaySeconds: () => 2 };

describe('handing failed records back to a real SQS queue (LocalStack)', () => {
  beforeAll(async () => {
    deadLetterUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }))).QueueUrl as string;
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }))).QueueUrl as string;
  });

  afterAll(async () => {
    await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: deadLetterUrl }));
  });

  it('waits out a real Cassandra outage without using up a try, and then dead-letters an error of the input with its reason', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"tenant":"zoo"}',
        MessageAttributes: { messageId: { DataType: 'String', StringValue: 'm-1' } },
      }),
    );
    // A real driver error: no Cassandra listens on port 1.
    const down = new cassandra.Client({ contactPoints: ['127.0.0.1:1'], localDataCenter: 'datacenter1', socketOptions: { connectTimeout: 500 } });
    const outage = await down.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    await down.shutdown();
    expect(outage).toBeInstanceOf(cassandra.errors.NoHostAvailableError);

    // First try: the outage. The message comes back as a new message after 5 s, its try not counted.
    const first = await receiveOne(queueUrl);
    const sentAt = Date.now();
    const failed = await handBack(sqs, [{ record: asRecord(first), error: outage }], policy);
    expect(failed).toEqual([]);
    await settle(first, failed);
    const again = await receiveOne(queueUrl);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(4000);
    expect(again.MessageId).not.toBe(first.MessageId);
    expect(again.Body).toBe('{"tenant":"zoo"}');
    expect(again.MessageAttributes?.messageId?.StringValue).toBe('m-1');
    expect(again.MessageAttributes?.outageRetries?.StringValue).toBe('1');
    expect(receiveCountOf(asRecord(again))).toBe(1);

    // Second and third tries fail on the input: back after 2 s, then dead-lettered with why.
    const secondFailed = await handBack(sqs, [{ record: asRecord(again), error: new Error('line 1: bad value') }], policy);
    expect(secondFailed).toEqual([{ itemIdentifier: again.MessageId }]);
    await settle(again, secondFailed);
    const third = await receiveOne(queueUrl);
    expect(receiveCountOf(asRecord(third))).toBe(2);
    const forged = asRecord(third);
    const last = {
      ...forged,
      messageAttributes: { ...forged.messageAttributes, priorReceives: { stringValue: '1', dataType: 'Number', stringListValues: [], binaryListValues: [] } },
    };
    const lastFailed = await handBack(sqs, [{ record: last, error: new Error('line 1: bad value') }], policy);
    expect(lastFailed).toEqual([]);
    await settle(third, lastFailed);
    const dead = await receiveOne(deadLetterUrl);
    expect(dead.Body).toBe('{"tenant":"zoo"}');
    expect(dead.MessageAttributes?.reason?.StringValue).toBe('line 1: bad value (try 3 of 3)');
    expect(dead.MessageAttributes?.messageId?.StringValue).toBe('m-1');
    const left = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    expect(Number(left.Attributes?.ApproximateNumberOfMessages) + Number(left.Attributes?.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  });
});
