import cassandra from 'cassandra-driver';
import { DeferredError, ServiceUnavailableError } from '../../layers/platform/src/errors';
import type { StreamIngestApp } from '../../layers/platform/src/ingest/apps/StreamIngestApp';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';
import type { PlatformMetrics } from '../../layers/platform/src/metrics/PlatformMetrics';
import { encodePacks, type PackedMessage } from '../../layers/platform/src/stream/StreamPack';
import { TenantRateLimiter } from '../../layers/platform/src/rates/TenantRateLimiter';
import { StreamIngestPipeline, type QueueMessage, type StreamIngestDependencies } from '../../layers/platform/src/stream/StreamIngestPipeline';
import { FakeClock } from './fakes/FakeClock';
import { FakeTenantRateStore } from './fakes/FakeTenantRateStore';
import { topology } from './fakes/fakeBatchIngestDependencies';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';
import { FakeStreamQueueSender } from './fakes/FakeStreamQueueSender';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';
import { asReal } from './fakes/Public';

/** The tenant's stream app: `{"device": ..., "t": number}` per message; a message without a number is bad. */
const app: StreamIngestApp = {
  name: 'readings',
  tables: [
    {
      name: 'readings',
      columns: { device: 'text', message_id: 'text', t: 'double' },
      partitionKey: ['device'],
      clusteringKey: [{ column: 'message_id', order: 'ASC' }],
    },
  ],
  toRows: (message) => {
    const body = message.body as { device?: string; t?: unknown };
    if (typeof body.t !== 'number') throw new RecordError(`t: ${JSON.stringify(body.t)} is not a number`);
    return [{ table: 'readings', values: { device: body.device, message_id: message.messageId, t: body.t } }];
  },
};

function setUp(tenants = [tenant('zoo', { stream: { maxReceiveCount: 3 } })], limits: Partial<StreamIngestDependencies> = {}) {
  const client = new FakeCassandraClient();
  const queues = new FakeStreamQueueSender();
  const batches: Array<Parameters<PlatformMetrics['streamBatch']>[0]> = [];
  const pipeline = new StreamIngestPipeline({
    registry: new FakeTenantRegistry(tenants),
    cassandra: client.asClient(),
    topology,
    metrics: {
      streamBatch: (batch) => {
        batches.push(batch);
        return Promise.resolve();
      },
    },
    queues: asReal(queues),
    loadApp: () => Promise.resolve(app),
    concurrency: 2,
    ...limits,
  });
  const inserts = () => client.matching(/^INSERT/).map((statement) => statement.params);
  return { client, queues, batches, pipeline, inserts };
}

const publishedAt = new Date(Date.UTC(2026, 10, 30, 11, 0, 0));

function single(id: string, body: unknown, receiveCount = 1): QueueMessage {
  return { id: `queue-${id}`, body: JSON.stringify(body), receiveCount, messageId: id, publishedAt };
}

function pack(id: string, messages: ReadonlyArray<{ id: string; body: unknown; attempts?: number }>): QueueMessage {
  const packed: PackedMessage[] = messages.map((message) => ({
    messageId: message.id,
    publishedAt,
    text: JSON.stringify(message.body),
    attempts: message.attempts ?? 0,
  }));
  const [only] = encodePacks(packed);
  return { id, body: only?.body ?? '', receiveCount: 1 };
}

describe('the stream pipeline', () => {
  it('writes every good message, rows keyed by message id, and records the batch', async () => {
    const { pipeline, inserts, batches } = setUp();
    const result = await pipeline.ingest('zoo', [
      single('m1', { device: 'd1', t: 1.5 }),
      pack('queue-p', [
        { id: 'm2', body: { device: 'd1', t: 2 } },
        { id: 'm3', body: { device: 'd2', t: 3 } },
      ]),
    ]);
    expect(result).toEqual({ written: 3, rateWaitMs: 0, failedQueueMessages: [] });
    expect(inserts()).toEqual([
      ['d1', 'm1', 1.5],
      ['d1', 'm2', 2],
      ['d2', 'm3', 3],
    ]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ tenant: 'zoo', writtenMessageIds: ['m1', 'm2', 'm3'], failedDeliveries: [] });
  });

  it('hands a bad single message back to its queue with the reason (its redrive policy retries, then dead-letters it)', async () => {
    const { pipeline, queues, inserts } = setUp();
    const result = await pipeline.ingest('zoo', [single('m1', { device: 'd1', t: 'warm' }), single('m2', { device: 'd1', t: 2 })]);
    expect(result).toEqual({ written: 1, rateWaitMs: 0, failedQueueMessages: [{ id: 'queue-m1', reason: 'message m1: t: "warm" is not a number' }] });
    expect(inserts()).toEqual([['d1', 'm2', 2]]);
    expect(queues.retried).toEqual([]);
    expect(queues.deadLettered).toEqual([]);
  });

  it('puts a bad message of a pack back alone, with a growing delay, and the rest of its pack is done', async () => {
    const { pipeline, queues, batches } = setUp();
    const result = await pipeline.ingest('zoo', [
      pack('queue-p', [
        { id: 'm1', body: { device: 'd1', t: 'x' } },
        { id: 'm2', body: { device: 'd1', t: 2 } },
        { id: 'm3', body: { device: 'd1', t: 'y' }, attempts: 1 },
      ]),
    ]);
    expect(result).toEqual({ written: 1, rateWaitMs: 0, failedQueueMessages: [] });
    expect(
      queues.retried.map(({ tenant: id, delaySeconds, messages }) => ({ id, delaySeconds, messages: messages.map((m) => [m.messageId, m.attempts]) })),
    ).toEqual([
      { id: 'zoo', delaySeconds: 2, messages: [['m1', 1]] },
      { id: 'zoo', delaySeconds: 4, messages: [['m3', 2]] },
    ]);
    expect(queues.deadLettered).toEqual([]);
    expect(batches[0]?.failedDeliveries).toEqual(['m1:0', 'm3:1']);
  });

  it("dead-letters a packed message on its last try, with the reason, into the tenant's dead-letter queue", async () => {
    const { pipeline, queues } = setUp();
    const result = await pipeline.ingest('zoo', [pack('queue-p', [{ id: 'm1', body: { device: 'd1', t: null }, attempts: 2 }])]);
    expect(result).toEqual({ written: 0, rateWaitMs: 0, failedQueueMessages: [] });
    expect(queues.retried).toEqual([]);
    expect(queues.deadLettered.map(({ tenant: id, reason, messages }) => ({ id, reason, messages: messages.map((m) => [m.messageId, m.attempts]) }))).toEqual([
      { id: 'zoo', reason: 'message m1: t: null is not a number', messages: [['m1', 3]] },
    ]);
  });

  it('hands the whole pack back when a message cannot be put back alone', async () => {
    const { pipeline, queues } = setUp();
    queues.fail(new Error('SQS refused'));
    const result = await pipeline.ingest('zoo', [
      pack('queue-p', [
        { id: 'm1', body: { t: 'x' } },
        { id: 'm2', body: { device: 'd', t: 1 } },
      ]),
    ]);
    expect(result).toEqual({ written: 1, rateWaitMs: 0, failedQueueMessages: [{ id: 'queue-p', reason: 'could not put message m1 back alone' }] });
  });

  it('throws the outage when Cassandra is down: the whole batch goes back, no message blamed', async () => {
    const { pipeline, client, queues } = setUp();
    client.failWhen((statement) => (/^INSERT/.test(statement.query) ? new cassandra.errors.NoHostAvailableError({}) : undefined));
    const thrown = await pipeline.ingest('zoo', [single('m1', { device: 'd1', t: 1 })]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(ServiceUnavailableError);
    expect((thrown as ServiceUnavailableError).service).toBe('cassandra');
    expect(queues.retried).toEqual([]);
    expect(queues.deadLettered).toEqual([]);
  });

  it('blames the messages of a write Cassandra refused for a reason of its own', async () => {
    const { pipeline, client } = setUp();
    client.failWhen((statement) => (/^INSERT/.test(statement.query) && statement.params[0] === 'd2' ? new Error('value too large') : undefined));
    const result = await pipeline.ingest('zoo', [single('m1', { device: 'd1', t: 1 }), single('m2', { device: 'd2', t: 2 })]);
    expect(result).toEqual({ written: 1, rateWaitMs: 0, failedQueueMessages: [{ id: 'queue-m2', reason: 'message m2: write failed: value too large' }] });
  });

  it.each([
    ['disabled', [tenant('zoo', { status: 'disabled' })], 'tenant zoo is disabled; its messages wait in its queue until it is served'],
    ['unknown', [], 'tenant zoo is not registered; its messages wait in its queue until it is served'],
  ])('lets the messages of a %s tenant wait, never dead-lettered', async (_what, tenants, message) => {
    const { pipeline, inserts } = setUp(tenants);
    await expect(pipeline.ingest('zoo', [single('m1', { device: 'd1', t: 1 })])).rejects.toEqual(new DeferredError(message, 30));
    expect(inserts()).toEqual([]);
  });

  describe('with limits.streamMessagesPerSecond', () => {
    function limited() {
      const clock = new FakeClock();
      const store = new FakeTenantRateStore();
      const sleeps: number[] = [];
      const rates = new TenantRateLimiter(asReal(store), clock, {
        sleep: (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
          return Promise.resolve();
        },
      });
      const zoo = tenant('zoo', { limits: { streamMessagesPerSecond: 2 } });
      return { ...setUp([zoo], { rates, clock, rateWaitBudgetMs: 1000 }), clock, store, sleeps };
    }
    const batch = (from: number, count: number) => Array.from({ length: count }, (_, i) => single(`m${from + i}`, { device: 'd1', t: from + i }));

    it('waits for the tenant’s share before writing, all invocations together', async () => {
      const { pipeline, inserts, sleeps, store } = limited();
      // 2 messages are a second's worth: within the burst, at once; 4 more wait for the first second to pass.
      expect(await pipeline.ingest('zoo', batch(0, 2))).toMatchObject({ written: 2, rateWaitMs: 0 });
      expect(await pipeline.ingest('zoo', batch(2, 4))).toMatchObject({ written: 4, rateWaitMs: 1000 });
      expect(sleeps).toEqual([1000]);
      expect(inserts()).toHaveLength(6);
      expect(store.bookings.map((booking) => booking.kind)).toEqual(['stream', 'stream']);
    });

    it('hands the messages back to wait (no try used), nothing written, when the wait is longer than it can afford', async () => {
      const { pipeline, inserts, clock, store } = limited();
      await pipeline.ingest('zoo', batch(0, 2));
      await pipeline.ingest('zoo', batch(2, 4));
      const booked = store.tat('zoo', 'stream');
      const begun = clock.now();
      const thrown = await pipeline.ingest('zoo', batch(6, 2)).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(thrown).toBeInstanceOf(DeferredError);
      expect((thrown as DeferredError).retryAfterSeconds).toBe(2);
      expect(clock.now()).toBe(begun);
      expect(store.tat('zoo', 'stream')).toBe(booked);
      expect(inserts()).toHaveLength(6);
    });

    it('books nothing for a tenant without the limit', async () => {
      const clock = new FakeClock();
      const store = new FakeTenantRateStore();
      const { pipeline } = setUp(undefined, { rates: new TenantRateLimiter(asReal(store), clock), clock });
      expect(await pipeline.ingest('zoo', batch(0, 50))).toMatchObject({ written: 50, rateWaitMs: 0 });
      expect(store.bookings).toEqual([]);
    });
  });
});
