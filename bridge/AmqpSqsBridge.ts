import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type MessageProperties, type RecoveringChannelModel } from 'amqplib';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoff, MAX_PACK_BYTES, packedBytes, PUBLISHED_AT_HEADER, type OutgoingStreamMessage, type SendOutcome, type Topology } from '../layers/platform/src';

/** A tenant the bridge serves, and the largest message its profile accepts. */
export interface BridgedTenant {
  readonly id: string;
  readonly maxMessageBytes: number;
}

export interface BridgeOptions {
  /** AMQP URL with the platform user's credentials and the stage's virtual host. */
  readonly amqpUrl: string;
  readonly topology: Topology;
  /** Puts messages on a tenant's SQS stream queue. */
  readonly send: (tenant: string, messages: readonly OutgoingStreamMessage[]) => Promise<SendOutcome>;
  /** The tenants to bridge, asked again every `discoveryIntervalMs`. */
  readonly tenants: () => Promise<BridgedTenant[]>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Unacknowledged messages per tenant queue. */
  readonly prefetch?: number;
  /** How long a message may wait for others to fill an SQS batch. */
  readonly flushIntervalMs?: number;
  readonly discoveryIntervalMs?: number;
  /** Waits out the backoff before messages SQS refused are requeued (a timer by default; a test gives its own clock). */
  readonly wait?: (ms: number) => Promise<void>;
}

/** SQS refuses messages over 256 KiB. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Messages handed to one send (packed into as few SQS messages as their size allows). */
const FLUSH_SIZE = 1000;
/** Header of a message in a tenant's `rejected` queue: why the bridge rejected it. */
export const REJECTED_REASON_HEADER = 'x-rejected-reason';
/** Headers the broker adds on the way (dead-lettering, redelivery counts): not part of a message's identity. */
const BROKER_HEADERS = /^x-(death|first-death-|last-death-|delivery-count|rejected-reason)/;

export interface BridgeStats {
  forwarded: number;
  deadLettered: number;
  requeued: number;
}

interface Pending {
  readonly channel: Channel;
  readonly messages: ConsumeMessage[];
  timer: NodeJS.Timeout | undefined;
}

/**
 * The stream-ingest manager's first half: consumes every tenant's RabbitMQ
 * queue and forwards each message to that tenant's SQS queue in batches.
 *
 * - A message is acknowledged to RabbitMQ only after SQS accepted it; when SQS
 *   refuses or is down, it is negatively acknowledged and requeued after a
 *   growing delay (at-least-once; the stream-ingest function writes
 *   idempotently by message id, so a redelivery duplicates no row).
 * - A message SQS can never take (over the tenant's size limit, or too large
 *   once packed, as text full of characters JSON escapes) goes to the tenant's
 *   `rejected` queue with the reason in its `x-rejected-reason` header, not lost
 *   and never requeued forever.
 * - A message without a message id gets one derived from what stays the same
 *   when RabbitMQ delivers it again (its content and properties), so a
 *   redelivery after a crash writes no second row.
 * - Prefetch bounds what is in flight. A broker that goes away (killed,
 *   restarted, the network) is waited out: every error event is handled, the
 *   connection recovers with backoff for as long as it takes, and each tenant is
 *   consumed again. The registry is followed every `discoveryIntervalMs`: a
 *   tenant added or enabled is consumed, a tenant disabled or removed is no
 *   longer consumed (its messages wait in RabbitMQ). `stop` finishes what is in
 *   flight before closing.
 *
 * @example
 * const bridge = new AmqpSqsBridge({ amqpUrl, topology, send, tenants, log });
 * await bridge.start();
 * await bridge.stop();
 */
export class AmqpSqsBridge {
  readonly stats: BridgeStats = { forwarded: 0, deadLettered: 0, requeued: 0 };
  private connection: RecoveringChannelModel | undefined;
  private model: ChannelModel | undefined;
  private readonly known = new Map<string, BridgedTenant>();
  /** One channel per tenant: a tenant's channel closing (its queue deleted, say) leaves the others consuming. */
  private readonly consumers = new Map<string, { channel: Channel; tag: string }>();
  /** Where rejected messages are published, with their reason (a confirm channel per connection). */
  private rejections: Promise<ConfirmChannel> | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private discovery: NodeJS.Timeout | undefined;
  private stopping = false;
  private failures = 0;

  constructor(private readonly options: BridgeOptions) {}

  async start(): Promise<void> {
    await this.discover().catch((error: Error) => this.options.log('warn', 'tenant discovery failed; will retry', { error }));
    this.connection = await amqp.connect(this.options.amqpUrl, {
      recovery: {
        initialDelay: 200,
        maxDelay: 5_000,
        // A broker fault is waited out, however long it lasts: the bridge never gives up on its own.
        initialMaxRetries: Infinity,
        maxRetries: Infinity,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    const log = this.options.log;
    this.connection.on('disconnect', (error: Error) => log('warn', 'RabbitMQ connection lost; reconnecting', { error }));
    this.connection.on('connect', () => log('info', 'connected to RabbitMQ'));
    // An 'error' event nobody listens to kills the process (ECONNRESET when the broker dies).
    this.connection.on('error', (error: Error) => log('warn', 'RabbitMQ connection error', { error }));
    this.connection.on('connect-failed', (error: Error) => log('warn', 'cannot connect to RabbitMQ yet', { error }));
    this.connection.on('reconnect-failed', (error: Error) => log('error', 'RabbitMQ recovery gave up', { error }));
    this.connection.on('blocked', (reason: string) => log('warn', 'RabbitMQ blocks publishing', { reason }));
    this.discovery = setInterval(() => void this.discoverAndConsume(), this.options.discoveryIntervalMs ?? 5000);
    this.options.log('info', 'bridge started', { tenants: [...this.known.keys()] });
  }

  /** Stops consuming, forwards what is buffered, waits for every send, then closes. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.discovery);
    for (const { channel, tag } of this.consumers.values()) await channel.cancel(tag).catch(() => undefined);
    for (const tenant of this.pending.keys()) this.flush(tenant);
    while (this.inFlight.size) await Promise.all(this.inFlight);
    await this.connection?.close().catch(() => undefined);
    this.options.log('info', 'bridge stopped', { ...this.stats });
  }

  private async discover(served?: BridgedTenant[]): Promise<BridgedTenant[]> {
    const fresh: BridgedTenant[] = [];
    for (const tenant of served ?? (await this.options.tenants())) {
      if (!this.known.has(tenant.id)) fresh.push(tenant);
      this.known.set(tenant.id, tenant);
    }
    return fresh;
  }

  private async discoverAndConsume(): Promise<void> {
    try {
      const served = await this.options.tenants();
      for (const tenant of [...this.known.keys()]) if (!served.some((candidate) => candidate.id === tenant)) await this.retire(tenant);
      const fresh = await this.discover(served);
      for (const tenant of fresh) {
        if (this.model && !this.stopping && (await this.consume(this.model, tenant.id))) this.options.log('info', 'new tenant bridged', { tenant: tenant.id });
      }
    } catch (error) {
      this.options.log('warn', 'tenant discovery failed; will retry', { error });
    }
  }

  /** Stops consuming a tenant no longer served (disabled, removed): what it holds is forwarded, the rest waits in RabbitMQ. */
  private async retire(tenant: string): Promise<void> {
    this.known.delete(tenant);
    const consumer = this.consumers.get(tenant);
    if (!consumer) return;
    this.consumers.delete(tenant);
    await consumer.channel.cancel(consumer.tag).catch(() => undefined);
    this.flush(tenant);
    void Promise.all(this.inFlight).then(() => consumer.channel.close().catch(() => undefined));
    this.options.log('info', 'tenant no longer served; not consuming its queue', { tenant });
  }

  /** After every (re)connection: a channel and a consumer per tenant. */
  private async setup(model: ChannelModel): Promise<void> {
    this.model = model;
    this.consumers.clear();
    this.rejections = model.createConfirmChannel().then((channel) => {
      channel.on('error', (error: Error) => this.options.log('warn', 'rejection channel closed by RabbitMQ', { error }));
      return channel;
    });
    this.rejections.catch(() => undefined);
    // Messages buffered on a lost connection cannot be acknowledged; RabbitMQ redelivers them.
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
    for (const tenant of this.known.keys()) await this.consume(model, tenant);
  }

  /** Consumes a tenant's queue on a channel of its own; false (retried at the next discovery) when it cannot yet. */
  private async consume(model: ChannelModel, tenant: string): Promise<boolean> {
    if (this.consumers.has(tenant)) return true;
    const queue = this.options.topology.amqp([tenant]).tenants[0]?.queue as string;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => this.options.log('warn', 'tenant channel closed by RabbitMQ', { tenant, error }));
    channel.on('close', () => {
      if (this.consumers.get(tenant)?.channel === channel) this.consumers.delete(tenant);
      // Forgotten, so the next discovery consumes it again.
      if (!this.stopping) this.known.delete(tenant);
    });
    try {
      await channel.prefetch(this.options.prefetch ?? 2000);
      const { consumerTag } = await channel.consume(queue, (message) => this.receive(channel, tenant, message));
      this.consumers.set(tenant, { channel, tag: consumerTag });
      return true;
    } catch (error) {
      this.options.log('warn', 'cannot consume the tenant queue yet; will retry', { tenant, queue, error });
      this.known.delete(tenant);
      await channel.close().catch(() => undefined);
      return false;
    }
  }

  private receive(channel: Channel, tenant: string, message: ConsumeMessage | null): void {
    if (!message) {
      // RabbitMQ cancelled the consumer (the queue was deleted): forget it, the next discovery tries again.
      this.consumers.delete(tenant);
      this.known.delete(tenant);
      void channel.close().catch(() => undefined);
      return;
    }
    const reason = tooLarge(tenant, message, Math.min(this.known.get(tenant)?.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES));
    if (reason) {
      void this.reject(channel, tenant, message, reason);
      return;
    }
    let pending = this.pending.get(tenant);
    if (!pending || pending.channel !== channel) {
      pending = { channel, messages: [], timer: undefined };
      this.pending.set(tenant, pending);
    }
    pending.messages.push(message);
    if (pending.messages.length >= FLUSH_SIZE) this.flush(tenant);
    else pending.timer ??= setTimeout(() => this.flush(tenant), this.options.flushIntervalMs ?? 25);
  }

  /**
   * Puts a message SQS can never take into the tenant's `rejected` queue with
   * the reason (published to the dead-letter exchange, confirmed, then the
   * original acknowledged). When that publish fails, RabbitMQ dead-letters it
   * instead (`nack`), without the reason but not lost.
   */
  private async reject(channel: Channel, tenant: string, message: ConsumeMessage, reason: string): Promise<void> {
    this.options.log('warn', "message rejected to the tenant's rejected queue", { tenant, messageId: message.properties.messageId, reason });
    const { deadLetterExchange } = this.options.topology.amqp([tenant]);
    this.stats.deadLettered += 1;
    try {
      const rejections = await (this.rejections ?? Promise.reject(new Error('not connected')));
      await new Promise<void>((resolve, reject) =>
        rejections.publish(
          deadLetterExchange,
          tenant,
          message.content,
          { ...message.properties, persistent: true, headers: { ...message.properties.headers, [REJECTED_REASON_HEADER]: reason } },
          (error) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()),
        ),
      );
      safely(() => channel.ack(message));
    } catch (error) {
      this.options.log('warn', 'could not publish the rejection with its reason; RabbitMQ dead-letters the message', {
        tenant,
        error,
      });
      safely(() => channel.nack(message, false, false));
    }
  }

  private flush(tenant: string): void {
    const pending = this.pending.get(tenant);
    if (!pending || pending.messages.length === 0) return;
    clearTimeout(pending.timer);
    this.pending.delete(tenant);
    const work = this.forward(tenant, pending.channel, pending.messages).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  private async forward(tenant: string, channel: Channel, messages: ConsumeMessage[]): Promise<void> {
    const outgoing = messages.map((message) => toOutgoing(tenant, message));
    let outcome: SendOutcome;
    let sendError: unknown;
    try {
      outcome = await this.options.send(tenant, outgoing);
    } catch (error) {
      sendError = error;
      outcome = { sent: 0, failed: outgoing.map((message) => ({ messageId: message.messageId, reason: (error as Error).message })) };
    }
    const failedIds = new Set(outcome.failed.map((failure) => failure.messageId));
    const failed: ConsumeMessage[] = [];
    messages.forEach((message, index) => {
      if (failedIds.has((outgoing[index] as OutgoingStreamMessage).messageId)) failed.push(message);
      else if (safely(() => channel.ack(message))) this.stats.forwarded += 1;
    });
    if (failed.length === 0) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    const delay = backoff({ attempt: this.failures, base: 200, max: 30_000 });
    this.options.log('warn', 'SQS did not take messages; requeueing them', {
      tenant,
      messages: failed.length,
      retryInMs: delay,
      reason: outcome.failed[0]?.reason,
      ...(sendError === undefined ? {} : { error: sendError }),
    });
    if (!this.stopping) await (this.options.wait ?? sleep)(delay);
    for (const message of failed) if (safely(() => channel.nack(message, false, true))) this.stats.requeued += 1;
  }
}

/** Acknowledging on a closed channel throws; RabbitMQ redelivers those messages anyway. */
function safely(action: () => void): boolean {
  try {
    action();
    return true;
  } catch {
    return false;
  }
}

/** A delivery's properties as the publisher may have set them: of any type, or none (amqplib types them `any`). */
type DeliveredProperties = { readonly [Name in keyof MessageProperties]: Name extends 'headers' ? Readonly<Record<string, unknown>> | undefined : unknown };

/**
 * The id of a message published without one: a digest of what RabbitMQ
 * delivers the same way every time (the content, the publisher's properties
 * and headers), never of the bridge's clock or the delivery, so a redelivery
 * after a crash gets the same id and rewrites the same row. Messages identical
 * in every byte and property are one message to the platform: a publisher that
 * means them as distinct gives each a message id (ingestmessage always does).
 */
export function stableMessageId(tenant: string, message: Pick<ConsumeMessage, 'content' | 'properties'>): string {
  const delivered: DeliveredProperties = message.properties;
  const { headers, timestamp, correlationId, type, appId, userId, contentType, contentEncoding } = delivered;
  const ownHeaders = Object.entries(headers ?? {})
    .filter(([name]) => !BROKER_HEADERS.test(name))
    .sort(([a], [b]) => a.localeCompare(b));
  const properties = JSON.stringify([timestamp, correlationId, type, appId, userId, contentType, contentEncoding, ownHeaders], (_, value: unknown) =>
    typeof value === 'bigint' ? String(value) : value,
  );
  return createHash('sha256').update(`${tenant}\n${properties}\n`).update(message.content).digest('hex').slice(0, 32);
}

export function toOutgoing(tenant: string, message: ConsumeMessage): OutgoingStreamMessage {
  const delivered: DeliveredProperties = message.properties;
  const { messageId, timestamp, headers } = delivered;
  const stamped = Number(headers?.[PUBLISHED_AT_HEADER] ?? (typeof timestamp === 'number' ? timestamp * 1000 : Number.NaN));
  return {
    messageId: typeof messageId === 'string' && messageId ? messageId : stableMessageId(tenant, message),
    // Without a publish time, the time the bridge forwards it (a redelivery rewrites the same row).
    publishedAt: new Date(Number.isFinite(stamped) ? stamped : Date.now()),
    body: message.content.toString('utf8'),
  };
}

/** Why SQS could never take this message, or undefined when it fits. */
function tooLarge(tenant: string, message: ConsumeMessage, limit: number): string | undefined {
  if (message.content.length > limit) return `the message is ${message.content.length} bytes; tenant ${tenant} accepts messages up to ${limit} bytes`;
  const outgoing = toOutgoing(tenant, message);
  const packed = packedBytes({ ...outgoing, text: outgoing.body, attempts: 0 });
  if (packed > MAX_PACK_BYTES) {
    return `the message is ${message.content.length} bytes but ${packed} bytes once packed for SQS (characters JSON must escape), over SQS's ${MAX_PACK_BYTES}-byte limit; send it as JSON, or smaller`;
  }
  return undefined;
}
