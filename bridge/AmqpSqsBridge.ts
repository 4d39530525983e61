import amqp, { type Channel, type ChannelModel, type ConsumeMessage, type RecoveringChannelModel } from 'amqplib';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutgoingStreamMessage, SendOutcome } from '../layers/platform/src/stream/StreamQueueSender';
import type { Topology } from '../layers/platform/src/topology/Topology';

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
}

/** SQS refuses messages over 256 KiB. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
/** Messages handed to one send (packed into as few SQS messages as their size allows). */
const FLUSH_SIZE = 1000;
/** Header `ingestmessage` sets with the publish time in milliseconds (AMQP's timestamp has seconds). */
export const PUBLISHED_AT_HEADER = 'x-published-at-ms';

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
 * - A message SQS can never take (over the tenant's size limit) is dead-lettered
 *   to the tenant's `rejected` queue, not lost.
 * - Prefetch bounds what is in flight; the connection recovers with backoff;
 *   tenants added while it runs are picked up; `stop` finishes what is in
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
  private readonly pending = new Map<string, Pending>();
  private readonly inFlight = new Set<Promise<void>>();
  private discovery: NodeJS.Timeout | undefined;
  private stopping = false;
  private failures = 0;

  constructor(private readonly options: BridgeOptions) {}

  async start(): Promise<void> {
    await this.discover();
    this.connection = await amqp.connect(this.options.amqpUrl, {
      recovery: {
        initialDelay: 200,
        maxDelay: 10_000,
        initialMaxRetries: 20,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    this.connection.on('disconnect', (error: Error) => this.options.log('warn', 'RabbitMQ connection lost; reconnecting', { error: error.message }));
    this.connection.on('connect', () => this.options.log('info', 'connected to RabbitMQ'));
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

  private async discover(): Promise<BridgedTenant[]> {
    const fresh: BridgedTenant[] = [];
    for (const tenant of await this.options.tenants()) {
      if (!this.known.has(tenant.id)) fresh.push(tenant);
      this.known.set(tenant.id, tenant);
    }
    return fresh;
  }

  private async discoverAndConsume(): Promise<void> {
    try {
      const fresh = await this.discover();
      for (const tenant of fresh) {
        if (this.model && !this.stopping && (await this.consume(this.model, tenant.id))) this.options.log('info', 'new tenant bridged', { tenant: tenant.id });
      }
    } catch (error) {
      this.options.log('warn', 'tenant discovery failed; will retry', { error: (error as Error).message });
    }
  }

  /** After every (re)connection: a channel and a consumer per tenant. */
  private async setup(model: ChannelModel): Promise<void> {
    this.model = model;
    this.consumers.clear();
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
    channel.on('error', (error: Error) => this.options.log('warn', 'tenant channel closed by RabbitMQ', { tenant, error: error.message }));
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
      this.options.log('warn', 'cannot consume the tenant queue yet; will retry', { tenant, queue, error: (error as Error).message });
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
    const limit = Math.min(this.known.get(tenant)?.maxMessageBytes ?? SQS_MAX_MESSAGE_BYTES, SQS_MAX_MESSAGE_BYTES);
    if (message.content.length > limit) {
      this.options.log('warn', "message over the size limit; dead-lettered to the tenant's rejected queue", {
        tenant,
        messageId: message.properties.messageId,
        bytes: message.content.length,
        limit,
      });
      this.stats.deadLettered += 1;
      channel.nack(message, false, false);
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
    try {
      outcome = await this.options.send(tenant, outgoing);
    } catch (error) {
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
    const delay = Math.min(30_000, 200 * 2 ** Math.min(this.failures, 8));
    this.options.log('warn', 'SQS did not take messages; requeueing them', {
      tenant,
      messages: failed.length,
      retryInMs: delay,
      reason: outcome.failed[0]?.reason,
    });
    if (!this.stopping) await sleep(delay);
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

function toOutgoing(tenant: string, message: ConsumeMessage): OutgoingStreamMessage {
  const { messageId, timestamp, headers } = message.properties;
  const publishedMs = Number(headers?.[PUBLISHED_AT_HEADER] ?? (typeof timestamp === 'number' ? timestamp * 1000 : Date.now()));
  return {
    // Without a publisher id, the content and publish time identify the message, so a redelivery keeps its id.
    messageId:
      typeof messageId === 'string' && messageId
        ? messageId
        : createHash('sha256').update(`${tenant}\n${publishedMs}\n`).update(message.content).digest('hex').slice(0, 32),
    publishedAt: new Date(publishedMs),
    body: message.content.toString('utf8'),
  };
}
