import { jest } from '@jest/globals';
import type { Context, SQSRecord } from 'aws-lambda';
import { platformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { ServiceUnavailableError } from '../../layers/platform/src/errors';
import type { Platform } from '../../layers/platform/src/platform';
import { retryDelaySeconds, type QueueMessage, type StreamIngestResult } from '../../layers/platform/src/stream/StreamIngestPipeline';
import { Topology } from '../../layers/platform/src/topology/Topology';
import { FakeSqsClient } from './fakes/FakeSqsClient';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';

/**
 * The stream-ingest function takes the process-wide platform (which needs
 * Cassandra) and hands records back through an SQS client of its own: here
 * the platform is one of fakes and the client a FakeSqsClient (the modules
 * that make the real ones are replaced before the function is imported).
 */
let current: Platform | undefined;
const sqs = new FakeSqsClient();
jest.unstable_mockModule('../../layers/platform/src/platform', () => ({
  platform: () => (current ? Promise.resolve(current) : Promise.reject(new Error('no platform set up'))),
  buildPlatform: () => {
    throw new Error('the unit tests build no real platform');
  },
}));
jest.unstable_mockModule('../../layers/platform/src/storage/awsClients', () => ({
  createSqsClient: () => sqs.asClient(),
  createS3Client: () => {
    throw new Error('the stream function takes no S3 client');
  },
  createLambdaClient: () => {
    throw new Error('the stream function takes no Lambda client');
  },
}));
const { handler } = await import('../../functions/streamIngest');

const topology = new Topology(platformConfig());
const context = { functionName: 'unit-stream', awsRequestId: 'unit-request' } as Context;

/** A record of a tenant's stream queue, on its `receiveCount`th delivery, with the attributes the queue sender sets (or not). */
function record(tenantId: string, id: string, receiveCount: number, attributes: { messageId?: string; publishedAt?: number } = {}): SQSRecord {
  const base = FakeSqsClient.record(topology.streamQueue(tenantId).name, `{"id":"${id}"}`, receiveCount, id);
  return {
    ...base,
    attributes: { ...base.attributes, SentTimestamp: '1700000000000' },
    messageAttributes: {
      ...(attributes.messageId === undefined ? {} : { messageId: { dataType: 'String', stringValue: attributes.messageId } }),
      ...(attributes.publishedAt === undefined ? {} : { publishedAt: { dataType: 'Number', stringValue: String(attributes.publishedAt) } }),
    },
  };
}

/** A platform whose stream pipeline records what it is given and fails what a test says. */
function setUp(
  outcome: (tenantId: string, messages: readonly QueueMessage[]) => Promise<StreamIngestResult> = (_tenant, messages) =>
    Promise.resolve({ written: messages.length, rateWaitMs: 0, failedQueueMessages: [] }),
) {
  const ingested: Array<{ tenant: string; messages: readonly QueueMessage[] }> = [];
  const registry = new FakeTenantRegistry([tenant('zoo', { stream: { maxReceiveCount: 5 } }), tenant('shop')]);
  const streamIngest = {
    ingest: (tenantId: string, messages: readonly QueueMessage[]) => {
      ingested.push({ tenant: tenantId, messages });
      return outcome(tenantId, messages);
    },
  };
  current = { registry, streamIngest } as unknown as Platform;
  sqs.sent.length = 0;
  return { ingested };
}

const failing =
  (...ids: string[]) =>
  (_tenant: string, messages: readonly QueueMessage[]): Promise<StreamIngestResult> =>
    Promise.resolve({
      written: messages.filter((message) => !ids.includes(message.id)).length,
      rateWaitMs: 0,
      failedQueueMessages: messages.filter((message) => ids.includes(message.id)).map(({ id }) => ({ id, reason: `row of ${id}: bad value` })),
    });

afterEach(() => {
  current = undefined;
});

describe('the stream-ingest function', () => {
  it("gives each tenant's pipeline that tenant's messages together, with their ids and publish times", async () => {
    const { ingested } = setUp();
    const records = [
      record('zoo', 'q-1', 1, { messageId: 'reading-1', publishedAt: 1_600_000_000_000 }),
      record('shop', 'q-2', 2),
      record('zoo', 'q-3', 1, { messageId: 'reading-3' }),
    ];
    expect(await handler({ Records: records }, context)).toEqual({ batchItemFailures: [] });
    expect(ingested).toEqual([
      {
        tenant: 'zoo',
        messages: [
          { id: 'q-1', body: '{"id":"q-1"}', receiveCount: 1, messageId: 'reading-1', publishedAt: new Date(1_600_000_000_000) },
          // Without the sender's publish time, the time SQS took the message.
          { id: 'q-3', body: '{"id":"q-3"}', receiveCount: 1, messageId: 'reading-3', publishedAt: new Date(1_700_000_000_000) },
        ],
      },
      { tenant: 'shop', messages: [{ id: 'q-2', body: '{"id":"q-2"}', receiveCount: 2, messageId: undefined, publishedAt: new Date(1_700_000_000_000) }] },
    ]);
    expect(sqs.sent).toEqual([]);
  });

  it('reports the messages the pipeline could not write, each coming back after its retry delay', async () => {
    setUp(failing('q-2'));
    const response = await handler({ Records: [record('zoo', 'q-1', 1), record('zoo', 'q-2', 2)] }, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'q-2' }] });
    expect(sqs.sent).toEqual([
      {
        command: 'ChangeMessageVisibilityCommand',
        input: expect.objectContaining({ ReceiptHandle: 'receipt-q-2', VisibilityTimeout: retryDelaySeconds(2) }) as unknown,
      },
    ]);
  });

  it("dead-letters a message on the last of its tenant's tries (the profile's stream.maxReceiveCount), with the reason", async () => {
    setUp(failing('z', 's'));
    // zoo allows 5 tries: the 3rd is retried; shop allows the default 3: its 3rd is the last.
    const response = await handler({ Records: [record('zoo', 'z', 3), record('shop', 's', 3)] }, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'z' }] });
    const deadLetter = sqs.sent.find((sent) => sent.command === 'SendMessageCommand');
    expect(deadLetter?.input).toMatchObject({
      QueueUrl: `http://127.0.0.1/queue/${topology.streamQueue('shop').name}-dlq`,
      MessageBody: '{"id":"s"}',
      MessageAttributes: { reason: { DataType: 'String', StringValue: 'row of s: bad value (try 3 of 3)' } },
    });
  });

  it("puts a tenant's messages back to wait out an outage, using up no try, at most 20 s apart", async () => {
    setUp(() => Promise.reject(new ServiceUnavailableError('Cassandra is down', { service: 'cassandra', retryAfterSeconds: 60 })));
    const response = await handler({ Records: [record('zoo', 'q-1', 4)] }, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.input).toMatchObject({
      QueueUrl: `http://127.0.0.1/queue/${topology.streamQueue('zoo').name}`,
      DelaySeconds: 20,
      MessageAttributes: { priorReceives: { DataType: 'Number', StringValue: '3' }, outageRetries: { DataType: 'Number', StringValue: '1' } },
    });
  });
});
