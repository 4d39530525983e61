import { ServiceUnavailableError } from '../errors';

/**
 * A small client of the RabbitMQ management HTTP API (the same API Amazon
 * MQ for RabbitMQ serves), for provisioning: virtual hosts, users and their
 * permissions, exchanges, queues and bindings. Every call is idempotent.
 *
 * @example
 * const admin = new RabbitMqAdmin('http://127.0.0.1:15672', 'mysimbdp-admin', password);
 * await admin.putVhost('mysimbdp-local');
 */
export class RabbitMqAdmin {
  private readonly authorization: string;

  constructor(
    private readonly baseUrl: string,
    username: string,
    password: string,
  ) {
    this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  /** `missing`: what a GET of something that does not exist answers (else a 404 is an error). */
  private async call(method: string, path: string, body?: unknown, missing?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api${path}`, {
        method,
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new ServiceUnavailableError(`RabbitMQ management API unreachable at ${this.baseUrl}: ${(error as Error).message}`, {}, { cause: error });
    }
    if (method === 'DELETE' && response.status === 404) return undefined;
    if (missing !== undefined && response.status === 404) return missing;
    if (!response.ok) {
      throw new ServiceUnavailableError(`RabbitMQ management API: ${method} ${path} answered ${response.status} ${await response.text()}`);
    }
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }

  private static path(...segments: string[]): string {
    return segments.map((segment) => `/${encodeURIComponent(segment)}`).join('');
  }

  putVhost(vhost: string): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('vhosts', vhost), {});
  }

  deleteVhost(vhost: string): Promise<unknown> {
    return this.call('DELETE', RabbitMqAdmin.path('vhosts', vhost));
  }

  /** Creates or updates a user from a RabbitMQ password hash (never a plaintext password). */
  putUserWithHash(user: string, passwordHash: string, hashingAlgorithm: string, tags = ''): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('users', user), { password_hash: passwordHash, hashing_algorithm: hashingAlgorithm, tags });
  }

  putUserWithPassword(user: string, password: string, tags = ''): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('users', user), { password, tags });
  }

  deleteUser(user: string): Promise<unknown> {
    return this.call('DELETE', RabbitMqAdmin.path('users', user));
  }

  /** A user's tags, or undefined when there is no such user. */
  async userTags(user: string): Promise<string[] | undefined> {
    const info = (await this.call('GET', RabbitMqAdmin.path('users', user), undefined, null)) as { tags?: string | string[] } | null;
    if (!info) return undefined;
    const tags = info.tags ?? [];
    return (Array.isArray(tags) ? tags : tags.split(',')).filter(Boolean);
  }

  /** The virtual hosts where a user has permissions or topic permissions (none for a user that does not exist). */
  async userVhosts(user: string): Promise<string[]> {
    const [permissions, topic] = (await Promise.all([
      this.call('GET', `${RabbitMqAdmin.path('users', user)}/permissions`, undefined, []),
      this.call('GET', `${RabbitMqAdmin.path('users', user)}/topic-permissions`, undefined, []),
    ])) as Array<Array<{ vhost: string }>>;
    return [...new Set([...(permissions ?? []), ...(topic ?? [])].map((entry) => entry.vhost))];
  }

  /** Takes a user's permissions and topic permissions on a virtual host away. */
  async deletePermissions(vhost: string, user: string): Promise<void> {
    await this.call('DELETE', RabbitMqAdmin.path('permissions', vhost, user));
    await this.call('DELETE', RabbitMqAdmin.path('topic-permissions', vhost, user));
  }

  putPermissions(vhost: string, user: string, permissions: { configure: string; write: string; read: string }): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('permissions', vhost, user), permissions);
  }

  putTopicPermissions(vhost: string, user: string, permissions: { exchange: string; write: string; read: string }): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('topic-permissions', vhost, user), permissions);
  }

  putExchange(vhost: string, exchange: string, type: 'topic' | 'direct' | 'fanout'): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('exchanges', vhost, exchange), { type, durable: true, auto_delete: false });
  }

  putQueue(vhost: string, queue: string, args: Record<string, unknown> = {}): Promise<unknown> {
    return this.call('PUT', RabbitMqAdmin.path('queues', vhost, queue), { durable: true, auto_delete: false, arguments: args });
  }

  deleteQueue(vhost: string, queue: string): Promise<unknown> {
    return this.call('DELETE', RabbitMqAdmin.path('queues', vhost, queue));
  }

  bind(vhost: string, exchange: string, queue: string, routingKey: string): Promise<unknown> {
    return this.call('POST', `${RabbitMqAdmin.path('bindings', vhost, 'e', exchange, 'q', queue)}`, { routing_key: routingKey });
  }

  async queueDepth(vhost: string, queue: string): Promise<number> {
    const info = (await this.call('GET', RabbitMqAdmin.path('queues', vhost, queue))) as { messages?: number };
    return info.messages ?? 0;
  }
}
