import { jest } from '@jest/globals';
import amqp, { type ConsumeMessage, type Options } from 'amqplib';
import { EventEmitter } from 'node:events';
import { AmqpSqsBridge, REJECTED_REASON_HEADER, type BridgedTenant, type BridgeOptions } from '../../bridge/AmqpSqsBridge';
import type { OutgoingStreamMessage, SendOutcome } from '../../layers/platform/src/stream/StreamQueueSender';
import { topology } from './fakes/fakeBatchIngestDependencies';

/** A channel of the fake broker: what the bridge consumed, acknowledged, requeued, dead-lettered and published. */
class FakeChannel extends EventEmitter {
  prefetched: number | undefined;
  queue: string | undefined;
  closed = false;
  readonly acked: ConsumeMessage[] = [];
  readonly nacked: Array<{ message: ConsumeMessage; requeue: boolean }> = [];
  readonly cancelled: string[] = [];
  readonly published: Array<{ exchange: string; routingKey: string; content: Buffer; options: Options.Publish }> = [];
  /** Set by a test: consume refuses (the tenant's queue does not exist yet). */
  consumeFails: Error | undefined;
  /** Set by a test: the broker nacks a publish. */
  publishFails: Error | undefined;
  private onMessage: ((message: ConsumeMessage | null) => void) | undefined;

  prefetch(count: number): Promise<void> {
    this.prefetched = count;
    return Promise.resolve();
  }

  consume(queue: string, onMessage: (message: ConsumeMessage | null) => void): Promise<{ consumerTag: string }> {
    if (this.consumeFails) return Promise.reject(this.consumeFails);
    this.queue = queue;
    this.onMessage = onMessage;
    return Promise.resolve({ consumerTag: `consumer of ${queue}` });
  }

  cancel(tag: string): Promise<void> {
    this.cancelled.push(tag);
    this.onMessage = undefined;
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.emit('close');
    }
    return Promise.resolve();
  }

  /** amqplib throws when a message is acknowledged on a closed channel. */
  ack(message: ConsumeMessage): void {
    if (this.closed) throw new Error('Channel closed');
    this.acked.push(message);
  }

  nack(message: ConsumeMessage, _allUpTo: boolean, requeue: boolean): void {
    if (this.closed) throw new Error('Channel closed');
    this.nacked.push({ message, requeue });
  }

  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish, confirmed: (error: unknown) => void): boolean {
    this.published.push({ exchange, routingKey, content, options });
    confirmed(this.publishFails ?? null);
    return true;
  }

  /** RabbitMQ delivers a message (or null: it cancelled the consumer). */
  deliver(message: ConsumeMessage | null): void {
    if (!this.onMessage) throw new Error(`nobody consumes ${this.queue ?? 'this channel'}`);
    this.onMessage(message);
  }
}

/** One connection's channel model: the channels the bridge opened on it. */
class FakeModel {
  readonly channels: FakeChannel[] = [];
  readonly confirmChannels: FakeChannel[] = [];
  /** Set by a test: the next channels refuse to consume. */
  consumeFails: Error | undefined;

  createChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    channel.consumeFails = this.consumeFails;
    this.channels.push(channel);
    return Promise.resolve(channel);
  }

  createConfirmChannel(): Promise<FakeChannel> {
    const channel = new FakeChannel();
    this.confirmChannels.push(channel);
    return Promise.resolve(channel);
  }

  /** The open channel consuming a queue. */
  consuming(queue: string): FakeChannel {
    const channel = this.channels.find((candidate) => candidate.queue === queue && !candidate.closed && candidate.cancelled.length === 0);
    if (!channel) throw new Error(`nobody consumes ${queue}`);
    return channel;
  }
}

class FakeConnection extends EventEmitter {
  closed = false;
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

interface RecoveryOptions {
  readonly initialMaxRetries: number;
  readonly maxRetries: number;
  readonly setup: (model: FakeModel) => Promise<void>;
}

let serial = 0;
/** A delivery as amqplib hands it to the bridge, published at a fixed time; `null` for a message published without an id. */
function delivery(content: string | Buffer, id?: string | null): ConsumeMessage {
  serial += 1;
  const messageId = id === null ? undefined : (id ?? `m-${serial}`);
  return {
    content: typeof content === 'string' ? Buffer.from(content) : content,
    fields: { deliveryTag: serial, redelivered: false, exchange: 'mysimbdp.ingest', routingKey: 'zoo', consumerTag: 'c' },
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: { 'x-published-at-ms': 1_700_000_000_000 },
      deliveryMode: 2,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
    },
  };
}

/** Lets every promise the fakes resolved run its continuations (nothing here does I/O). */
/** The reason a rejected message was published with. */
const reasonOf = (published: { options: Options.Publish } | undefined): unknown =>
  (published?.options.headers as Record<string, unknown> | undefined)?.[REJECTED_REASON_HEADER];

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const FLUSH_MS = 25;
const DISCOVERY_MS = 5000;

function setUp(options: { tenants?: BridgedTenant[]; send?: BridgeOptions['send']; prefetch?: number } = {}) {
  let served: BridgedTenant[] | Error = options.tenants ?? [
    { id: 'zoo', maxMessageBytes: 1024 },
    { id: 'shop', maxMessageBytes: 200 * 1024 },
  ];
  const sends: Array<{ tenant: string; messages: readonly OutgoingStreamMessage[] }> = [];
  const waits: number[] = [];
  const logs: Array<{ level: string; message: string; fields: Record<string, unknown> | undefined }> = [];
  const models: FakeModel[] = [];
  let connection: FakeConnection | undefined;
  let recovery: RecoveryOptions | undefined;
  models.push(new FakeModel());
  const connect = jest.spyOn(amqp, 'connect').mockImplementation((async (_url: string, socketOptions: { recovery: RecoveryOptions }) => {
    recovery = socketOptions.recovery;
    connection = new FakeConnection();
    await recovery.setup(models[0] as FakeModel);
    return connection;
  }) as unknown as typeof amqp.connect);
  const bridge = new AmqpSqsBridge({
    amqpUrl: 'amqp://platform:secret@127.0.0.1:5672/unit',
    topology,
    send: (tenant, messages) => {
      sends.push({ tenant, messages });
      return options.send ? options.send(tenant, messages) : Promise.resolve({ sent: messages.length, failed: [] });
    },
    tenants: () => (served instanceof Error ? Promise.reject(served) : Promise.resolve(served)),
    log: (level, message, fields) => logs.push({ level, message, fields }),
    flushIntervalMs: FLUSH_MS,
    discoveryIntervalMs: DISCOVERY_MS,
    prefetch: options.prefetch,
    wait: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return {
    bridge,
    sends,
    waits,
    logs,
    connect,
    model: () => models[models.length - 1] as FakeModel,
    connection: () => connection as FakeConnection,
    serve: (tenants: BridgedTenant[] | Error) => {
      served = tenants;
    },
    /** The connection is lost and amqplib recovers it: the bridge sets up on a new channel model. */
    reconnect: async () => {
      const model = new FakeModel();
      models.push(model);
      await recovery?.setup(model);
      return model;
    },
    logged: (message: string) => logs.filter((entry) => entry.message === message),
  };
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] }));
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('the bridge starting', () => {
  it("consumes every served tenant's queue on a channel of its own, with the prefetch, recovering from any broker fault", async () => {
    const { bridge, connect, model, logged } = setUp({ prefetch: 50 });
    await bridge.start();
    const [url, socketOptions] = connect.mock.calls[0] as unknown as [string, { recovery: RecoveryOptions }];
    expect(url).toBe('amqp://platform:secret@127.0.0.1:5672/unit');
    expect(socketOptions.recovery).toMatchObject({ initialMaxRetries: Infinity, maxRetries: Infinity });
    expect(model().channels.map((channel) => [channel.queue, channel.prefetched])).toEqual([
      ['tenant.zoo.ingest', 50],
      ['tenant.shop.ingest', 50],
    ]);
    expect(model().confirmChannels).toHaveLength(1);
    expect(logged('bridge started')[0]?.fields).toEqual({ tenants: ['zoo', 'shop'] });
    await bridge.stop();
  });

  it('starts when the registry cannot be read, and consumes the tenants once it answers', async () => {
    const { bridge, model, serve, logged } = setUp({ prefetch: undefined });
    serve(new Error('Cassandra is down'));
    await bridge.start();
    expect(logged('tenant discovery failed; will retry')).toHaveLength(1);
    expect(model().channels).toEqual([]);
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    expect(logged('tenant discovery failed; will retry')).toHaveLength(2);
    serve([{ id: 'zoo', maxMessageBytes: 1024 }]);
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    await settle();
    expect(model().consuming('tenant.zoo.ingest').prefetched).toBe(2000);
    expect(logged('new tenant bridged').map((entry) => entry.fields)).toEqual([{ tenant: 'zoo' }]);
    await bridge.stop();
  });

  it("logs the connection's events, an error among them, instead of dying of them", async () => {
    const { bridge, connection, logs } = setUp();
    await bridge.start();
    const lost = new Error('ECONNRESET');
    for (const event of ['disconnect', 'error', 'connect-failed', 'reconnect-failed']) connection().emit(event, lost);
    connection().emit('connect');
    connection().emit('blocked', 'low on memory');
    expect(logs.slice(-6).map(({ level, message, fields }) => [level, message, fields])).toEqual([
      ['warn', 'RabbitMQ connection lost; reconnecting', { error: lost }],
      ['warn', 'RabbitMQ connection error', { error: lost }],
      ['warn', 'cannot connect to RabbitMQ yet', { error: lost }],
      ['error', 'RabbitMQ recovery gave up', { error: lost }],
      ['info', 'connected to RabbitMQ', undefined],
      ['warn', 'RabbitMQ blocks publishing', { reason: 'low on memory' }],
    ]);
    await bridge.stop();
  });
});

describe('forwarding to SQS', () => {
  it("sends a tenant's messages together once the flush interval passed, and acknowledges them after SQS took them", async () => {
    const { bridge, model, sends } = setUp();
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const messages = [delivery('{"a":1}', 'first'), delivery('{"a":2}', 'second'), delivery('plain text', null)];
    for (const message of messages) zoo.deliver(message);
    await jest.advanceTimersByTimeAsync(FLUSH_MS - 1);
    expect(sends).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await settle();
    expect(sends).toHaveLength(1);
    expect(sends[0]?.tenant).toBe('zoo');
    expect(sends[0]?.messages.map(({ messageId, body, publishedAt }) => [messageId, body, publishedAt.toISOString()])).toEqual([
      ['first', '{"a":1}', '2023-11-14T22:13:20.000Z'],
      ['second', '{"a":2}', '2023-11-14T22:13:20.000Z'],
      [expect.stringMatching(/^[0-9a-f]{32}$/), 'plain text', '2023-11-14T22:13:20.000Z'],
    ]);
    expect(zoo.acked).toEqual(messages);
    expect(bridge.stats).toEqual({ forwarded: 3, deadLettered: 0, requeued: 0 });
    await bridge.stop();
  });

  it('sends at once when a thousand messages are waiting, without waiting for the interval', async () => {
    const { bridge, model, sends } = setUp();
    await bridge.start();
    const shop = model().consuming('tenant.shop.ingest');
    for (let index = 0; index < 1001; index += 1) shop.deliver(delivery(`{"n":${index}}`));
    await settle();
    expect(sends.map(({ messages }) => messages.length)).toEqual([1000]);
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await settle();
    expect(sends.map(({ messages }) => messages.length)).toEqual([1000, 1]);
    expect(bridge.stats.forwarded).toBe(1001);
    await bridge.stop();
  });

  it('requeues what SQS refused after a growing wait, acknowledges the rest, and waits less again after a success', async () => {
    let refuse: string[] = [];
    const send = (_tenant: string, messages: readonly OutgoingStreamMessage[]): Promise<SendOutcome> => {
      const failed = messages.filter((message) => refuse.includes(message.messageId)).map((message) => ({ messageId: message.messageId, reason: 'throttled' }));
      return Promise.resolve({ sent: messages.length - failed.length, failed });
    };
    const { bridge, model, waits, logged } = setUp({ send });
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const forward = async (...messages: ConsumeMessage[]) => {
      for (const message of messages) zoo.deliver(message);
      await jest.advanceTimersByTimeAsync(FLUSH_MS);
      await settle();
    };
    refuse = ['b'];
    const [a, b] = [delivery('{}', 'a'), delivery('{}', 'b')];
    await forward(a, b);
    expect(zoo.acked).toEqual([a]);
    expect(zoo.nacked).toEqual([{ message: b, requeue: true }]);
    expect(logged('SQS did not take messages; requeueing them')[0]?.fields).toEqual({ tenant: 'zoo', messages: 1, retryInMs: 400, reason: 'throttled' });
    await forward(delivery('{}', 'b'));
    await forward(delivery('{}', 'b'));
    refuse = [];
    await forward(delivery('{}', 'c'));
    refuse = ['d'];
    await forward(delivery('{}', 'd'));
    expect(waits).toEqual([400, 800, 1600, 400]);
    expect(bridge.stats).toEqual({ forwarded: 2, deadLettered: 0, requeued: 4 });
    await bridge.stop();
  });

  it('requeues every message of a send that failed, with the error in the log', async () => {
    const down = new Error('SQS is unreachable');
    const { bridge, model, waits, logged } = setUp({ send: () => Promise.reject(down) });
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const messages = [delivery('{}'), delivery('{}')];
    for (const message of messages) zoo.deliver(message);
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await settle();
    expect(zoo.acked).toEqual([]);
    expect(zoo.nacked).toEqual(messages.map((message) => ({ message, requeue: true })));
    expect(waits).toEqual([400]);
    expect(logged('SQS did not take messages; requeueing them')[0]?.fields).toMatchObject({ messages: 2, reason: 'SQS is unreachable', error: down });
    expect(bridge.stats.requeued).toBe(2);
    await bridge.stop();
  });

  it('counts nothing for messages whose channel closed before SQS answered (RabbitMQ redelivers them)', async () => {
    let answer: (outcome: SendOutcome) => void = () => undefined;
    const { bridge, model } = setUp({ send: () => new Promise((resolve) => (answer = resolve)) });
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    zoo.deliver(delivery('{}'));
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await zoo.close();
    answer({ sent: 1, failed: [] });
    await settle();
    expect(zoo.acked).toEqual([]);
    expect(bridge.stats.forwarded).toBe(0);
    await bridge.stop();
  });
});

describe("messages SQS can never take: to the tenant's rejected queue", () => {
  it("publishes a message over the tenant's size limit with the reason, then acknowledges it, never sending it", async () => {
    const { bridge, model, sends } = setUp();
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const large = delivery('x'.repeat(1025), 'large');
    zoo.deliver(large);
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await settle();
    const [published] = model().confirmChannels[0]?.published ?? [];
    expect(published?.exchange).toBe('mysimbdp.rejected');
    expect(published?.routingKey).toBe('zoo');
    expect(published?.content).toBe(large.content);
    expect(published?.options).toMatchObject({
      messageId: 'large',
      persistent: true,
      headers: { 'x-published-at-ms': 1_700_000_000_000, [REJECTED_REASON_HEADER]: 'the message is 1025 bytes; tenant zoo accepts messages up to 1024 bytes' },
    });
    expect(zoo.acked).toEqual([large]);
    expect(sends).toEqual([]);
    expect(bridge.stats).toEqual({ forwarded: 0, deadLettered: 1, requeued: 0 });
    await bridge.stop();
  });

  it('rejects a message within the size limit that is too large once packed for SQS (characters JSON escapes)', async () => {
    const { bridge, model } = setUp();
    await bridge.start();
    const shop = model().consuming('tenant.shop.ingest');
    shop.deliver(delivery('"'.repeat(150 * 1024), 'quotes'));
    await settle();
    const reason = reasonOf(model().confirmChannels[0]?.published[0]);
    expect(reason).toMatch(/^the message is 153600 bytes but \d+ bytes once packed for SQS .* over SQS's 256000-byte limit; send it as JSON, or smaller$/);
    await bridge.stop();
  });

  it('takes no more than SQS does, whatever the profile allows', async () => {
    const { bridge, model } = setUp({ tenants: [{ id: 'zoo', maxMessageBytes: 10 * 1024 * 1024 }] });
    await bridge.start();
    model()
      .consuming('tenant.zoo.ingest')
      .deliver(delivery(Buffer.alloc(256 * 1024 + 1, 'a')));
    await settle();
    expect(reasonOf(model().confirmChannels[0]?.published[0])).toBe('the message is 262145 bytes; tenant zoo accepts messages up to 262144 bytes');
    await bridge.stop();
  });

  it('lets RabbitMQ dead-letter the message, without the reason, when the rejection cannot be published', async () => {
    const { bridge, model, logged } = setUp();
    await bridge.start();
    (model().confirmChannels[0] as FakeChannel).publishFails = new Error('nacked by the broker');
    const zoo = model().consuming('tenant.zoo.ingest');
    const large = delivery('x'.repeat(2000));
    zoo.deliver(large);
    await settle();
    expect(zoo.acked).toEqual([]);
    expect(zoo.nacked).toEqual([{ message: large, requeue: false }]);
    expect(logged('could not publish the rejection with its reason; RabbitMQ dead-letters the message')).toHaveLength(1);
    await bridge.stop();
  });
});

describe('following the registry and the broker', () => {
  it('consumes a tenant added to the registry, and stops consuming one removed, forwarding what it holds', async () => {
    const { bridge, model, serve, sends, logged } = setUp();
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const held = delivery('{}', 'held');
    zoo.deliver(held);
    serve([
      { id: 'shop', maxMessageBytes: 1024 },
      { id: 'mall', maxMessageBytes: 1024 },
    ]);
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    await settle();
    expect(zoo.cancelled).toEqual(['consumer of tenant.zoo.ingest']);
    expect(sends).toEqual([{ tenant: 'zoo', messages: [expect.objectContaining({ messageId: 'held' })] }]);
    expect(zoo.acked).toEqual([held]);
    expect(zoo.closed).toBe(true);
    expect(model().consuming('tenant.mall.ingest').prefetched).toBe(2000);
    expect(logged('tenant no longer served; not consuming its queue').map((entry) => entry.fields)).toEqual([{ tenant: 'zoo' }]);
    expect(logged('new tenant bridged').map((entry) => entry.fields)).toEqual([{ tenant: 'mall' }]);
    await bridge.stop();
  });

  it("tries a tenant's queue again at the next discovery when it cannot be consumed yet", async () => {
    const { bridge, model, logged } = setUp({ tenants: [{ id: 'zoo', maxMessageBytes: 1024 }] });
    model().consumeFails = new Error('NOT_FOUND - no queue');
    await bridge.start();
    expect(model().channels.map((channel) => channel.closed)).toEqual([true]);
    expect(logged('cannot consume the tenant queue yet; will retry')[0]?.fields).toMatchObject({ tenant: 'zoo', queue: 'tenant.zoo.ingest' });
    model().consumeFails = undefined;
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    await settle();
    expect(model().consuming('tenant.zoo.ingest').prefetched).toBe(2000);
    await bridge.stop();
  });

  it('consumes again a queue whose consumer RabbitMQ cancelled (the queue deleted and made again)', async () => {
    const { bridge, model } = setUp({ tenants: [{ id: 'zoo', maxMessageBytes: 1024 }] });
    await bridge.start();
    const cancelled = model().consuming('tenant.zoo.ingest');
    cancelled.deliver(null);
    await settle();
    expect(cancelled.closed).toBe(true);
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    await settle();
    expect(model().channels).toHaveLength(2);
    expect(model().consuming('tenant.zoo.ingest')).not.toBe(cancelled);
    await bridge.stop();
  });

  it('consumes every tenant again on a recovered connection, and drops what it buffered on the lost one (RabbitMQ redelivers it)', async () => {
    const { bridge, model, reconnect, sends } = setUp();
    await bridge.start();
    const lost = model();
    lost.consuming('tenant.zoo.ingest').deliver(delivery('{}', 'buffered'));
    const recovered = await reconnect();
    expect(recovered.channels.map((channel) => channel.queue)).toEqual(['tenant.zoo.ingest', 'tenant.shop.ingest']);
    expect(recovered.confirmChannels).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await settle();
    expect(sends).toEqual([]);
    recovered.consuming('tenant.zoo.ingest').deliver(delivery('{}', 'again'));
    await jest.advanceTimersByTimeAsync(FLUSH_MS);
    await settle();
    expect(sends.flatMap(({ messages }) => messages.map((message) => message.messageId))).toEqual(['again']);
    await bridge.stop();
  });

  it("keeps the other tenants consuming when one tenant's channel is closed by RabbitMQ, and consumes that one again later", async () => {
    const { bridge, model, logged } = setUp();
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    zoo.emit('error', new Error('PRECONDITION_FAILED'));
    await zoo.close();
    expect(logged('tenant channel closed by RabbitMQ')[0]?.fields).toMatchObject({ tenant: 'zoo' });
    expect(model().consuming('tenant.shop.ingest').closed).toBe(false);
    await jest.advanceTimersByTimeAsync(DISCOVERY_MS);
    await settle();
    expect(model().consuming('tenant.zoo.ingest')).not.toBe(zoo);
    await bridge.stop();
  });
});

describe('the bridge stopping', () => {
  it('stops consuming, forwards what it buffered, waits for the sends and requeues failures without waiting, then closes', async () => {
    let answer: (outcome: SendOutcome) => void = () => undefined;
    const { bridge, model, sends, waits, connection, logged } = setUp({ send: () => new Promise((resolve) => (answer = resolve)) });
    await bridge.start();
    const zoo = model().consuming('tenant.zoo.ingest');
    const message = delivery('{}', 'in flight');
    zoo.deliver(message);
    let stopped = false;
    const stopping = bridge.stop().then(() => (stopped = true));
    await settle();
    expect(zoo.cancelled).toEqual(['consumer of tenant.zoo.ingest']);
    expect(sends).toHaveLength(1);
    expect(stopped).toBe(false);
    answer({ sent: 0, failed: [{ messageId: 'in flight', reason: 'throttled' }] });
    await stopping;
    expect(waits).toEqual([]);
    expect(zoo.nacked).toEqual([{ message, requeue: true }]);
    expect(connection().closed).toBe(true);
    expect(logged('bridge stopped')[0]?.fields).toEqual({ forwarded: 0, deadLettered: 0, requeued: 1 });
  });
});
