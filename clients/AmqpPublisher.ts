import amqp, { type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { serviceFailure } from '../layers/platform/src';
import { TryAgainLater, withBackoff, type BackoffOptions } from './withBackoff';

/** What became of one published message. */
export type PublishOutcome = { readonly confirmed: true } | { readonly confirmed: false; readonly reason: string };

interface Publication {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  readonly options: Options.Publish & { messageId: string };
  readonly settle: (outcome: PublishOutcome) => void;
}

/**
 * Publishes to RabbitMQ with publisher confirms, and rides out a broker that
 * goes away (killed, restarted): the connection is opened again with backoff
 * for up to `patienceMs`, and every message not yet confirmed is published
 * again (the platform writes by message id, so a message published twice is
 * one row). A refusal (wrong credentials, a routing key that is not the
 * tenant's: RabbitMQ's 403) is final and fails what is pending with its reason.
 * The first connection is not retried: a broker that never answered is a wrong
 * address, said at once.
 *
 * @example
 * const publisher = await AmqpPublisher.connect(url, { patienceMs: 600_000 });
 * const outcome = await publisher.publish('mysimbdp.ingest', 'zoo', body, { messageId: 'm-1' });
 */
export class AmqpPublisher {
  private connection: ChannelModel | undefined;
  private channel: ConfirmChannel | undefined;
  private reconnecting: Promise<void> | undefined;
  private drained: Promise<void> | undefined;
  /** Why publishing cannot go on (a refusal), once it cannot. */
  private fatal: string | undefined;
  private closing = false;
  /** Published on a channel that went away before confirming: published again once connected. */
  private readonly interrupted: Publication[] = [];
  private readonly returned = new Set<string>();

  private constructor(
    private readonly url: string,
    private readonly retry: BackoffOptions,
  ) {}

  static async connect(url: string, retry: BackoffOptions): Promise<AmqpPublisher> {
    const publisher = new AmqpPublisher(url, retry);
    await publisher.open();
    return publisher;
  }

  /** Resolves when a publish may go out (connected, and the socket's buffer drained). */
  async ready(): Promise<void> {
    await this.reconnecting;
    await this.drained;
  }

  /** Why publishing stopped for good, if it did. */
  get failure(): string | undefined {
    return this.fatal;
  }

  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish & { messageId: string }): Promise<PublishOutcome> {
    return new Promise((settle) => this.send({ exchange, routingKey, content, options, settle }));
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.channel?.close().catch(() => undefined);
    await this.connection?.close().catch(() => undefined);
  }

  private send(publication: Publication): void {
    if (this.fatal) return publication.settle({ confirmed: false, reason: this.fatal });
    const channel = this.channel;
    if (!channel) {
      this.interrupted.push(publication);
      void this.reconnect();
      return;
    }
    const { exchange, routingKey, content, options } = publication;
    const accepted = channel.publish(exchange, routingKey, content, { ...options, mandatory: true }, (error: unknown) => {
      if (!error) {
        const unroutable = this.returned.delete(options.messageId);
        publication.settle(
          unroutable
            ? { confirmed: false, reason: `unroutable: no queue is bound to routing key "${routingKey}" (is the tenant provisioned?)` }
            : { confirmed: true },
        );
        return;
      }
      // Nacked by the broker: publish it again. The channel went away before confirming: a refusal fails it, an outage publishes it again.
      if (error instanceof Error && error.message === 'message nacked' && this.channel === channel) return this.send(publication);
      this.interrupted.push(publication);
      void this.reconnect();
    });
    if (!accepted) this.drained ??= new Promise((resolve) => channel.once('drain', resolve)).then(() => (this.drained = undefined));
  }

  private reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      // Let the channel's own 'error' event say first whether this was a refusal.
      await new Promise((resolve) => setImmediate(resolve));
      this.channel = undefined;
      if (!this.fatal && !this.closing) {
        await this.connection?.close().catch(() => undefined);
        await withBackoff(() => this.open(), this.retry).catch((error: Error) => (this.fatal ??= error.message));
      }
      const again = this.interrupted.splice(0);
      this.drained = undefined;
      for (const publication of again) this.send(publication);
    })().finally(() => (this.reconnecting = undefined));
    return this.reconnecting;
  }

  private async open(): Promise<void> {
    let connection: ChannelModel;
    try {
      connection = await amqp.connect(this.url, { timeout: 10_000 });
    } catch (error) {
      // Only once connected does a refused connection mean an outage to wait out.
      throw this.connection && serviceFailure(error, 'rabbitmq') ? new TryAgainLater(error as Error) : error;
    }
    connection.on('error', () => undefined);
    connection.on('close', () => {
      if (this.connection === connection && !this.closing) void this.reconnect();
    });
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: Error) => {
      if (!serviceFailure(error, 'rabbitmq')) this.fatal ??= error.message;
    });
    channel.on('return', (message) => this.returned.add(String(message.properties.messageId)));
    this.connection = connection;
    this.channel = channel;
  }
}
