import type { Tenant } from '../tenants/Tenant';
import type { Topology } from '../topology/Topology';
import type { RabbitMqAdmin } from './RabbitMqAdmin';

const NOTHING = '^$';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The stage's RabbitMQ topology: a virtual host, the topic exchange tenants
 * publish to, a durable queue per tenant bound by its tenant id (dead-lettering
 * into a per-tenant `rejected` queue), the platform's own user (reads the
 * tenant queues, publishes rejections to the dead-letter exchange), and one user per tenant that may publish to the exchange
 * with its own routing key only: not to another tenant's key, not to a queue
 * directly, and it may not read or declare anything.
 *
 * @example
 * await provisionAmqp(admin, topology, tenants, { username: 'mysimbdp-platform', password });
 */
export async function provisionAmqp(
  admin: RabbitMqAdmin,
  topology: Topology,
  tenants: readonly Tenant[],
  platformUser: { readonly username: string; readonly password: string },
  adminUser?: string,
): Promise<void> {
  const amqp = topology.amqp(tenants.map((tenant) => tenant.id));
  await admin.putVhost(amqp.vhost);
  if (adminUser) await admin.putPermissions(amqp.vhost, adminUser, { configure: '.*', write: '.*', read: '.*' });
  await admin.putExchange(amqp.vhost, amqp.exchange, 'topic');
  await admin.putExchange(amqp.vhost, amqp.deadLetterExchange, 'topic');
  await admin.putUserWithPassword(platformUser.username, platformUser.password);
  // The bridge reads the tenant queues, and publishes what it must reject, with the reason, to the dead-letter exchange.
  await admin.putPermissions(amqp.vhost, platformUser.username, {
    configure: NOTHING,
    write: `^${escapeRegex(amqp.deadLetterExchange)}$`,
    read: '^tenant\\.[a-z0-9]+\\.(ingest|rejected)$',
  });
  for (const binding of amqp.tenants) {
    const tenant = tenants.find((candidate) => candidate.id === binding.tenant) as Tenant;
    await admin.putQueue(amqp.vhost, binding.queue, { 'x-dead-letter-exchange': amqp.deadLetterExchange, 'x-dead-letter-routing-key': binding.routingKey });
    await admin.putQueue(amqp.vhost, binding.rejectedQueue);
    await admin.bind(amqp.vhost, amqp.exchange, binding.queue, binding.routingKey);
    await admin.bind(amqp.vhost, amqp.deadLetterExchange, binding.rejectedQueue, binding.routingKey);
    await admin.putUserWithHash(tenant.id, tenant.credentials.amqp.passwordHash, tenant.credentials.amqp.hashingAlgorithm);
    await putTenantAmqpPermissions(admin, topology, tenant);
  }
}

/**
 * A tenant user's permissions: publish to the exchange with its own routing
 * key while the tenant is active, nothing once it is disabled.
 *
 * @example
 * await putTenantAmqpPermissions(admin, topology, tenant); // after its status changed
 */
export async function putTenantAmqpPermissions(admin: RabbitMqAdmin, topology: Topology, tenant: Tenant): Promise<void> {
  const amqp = topology.amqp([tenant.id]);
  const routingKey = amqp.tenants[0]?.routingKey ?? tenant.id;
  const active = tenant.profile.status === 'active';
  await admin.putPermissions(amqp.vhost, tenant.id, { configure: NOTHING, write: active ? `^${escapeRegex(amqp.exchange)}$` : NOTHING, read: NOTHING });
  await admin.putTopicPermissions(amqp.vhost, tenant.id, {
    exchange: amqp.exchange,
    write: active ? `^${escapeRegex(routingKey)}$` : NOTHING,
    read: NOTHING,
  });
}
