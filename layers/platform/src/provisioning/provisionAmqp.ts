import type { Tenant } from '../tenants/Tenant';
import type { AmqpTopology, Topology } from '../topology/Topology';
import type { RabbitMqAdmin } from './RabbitMqAdmin';

const NOTHING = '^$';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The stage's RabbitMQ topology: a virtual host, the topic exchange tenants
 * publish to, a durable queue per tenant bound by its tenant id (dead-lettering
 * into a per-tenant `rejected` queue), the platform's own user (reads the
 * tenant queues, publishes rejections to the dead-letter exchange), and one user per tenant and stage
 * (`Topology`'s `user`: `mysimbdp-<stage>-<tenant>`) that may publish to the exchange
 * with its own routing key only: not to another tenant's key, not to a queue
 * directly, not in another stage's virtual host, and it may not read or declare anything.
 *
 * Tenant users were once named by the tenant id alone, one user for every
 * stage; such a user is retired here from this stage (see
 * {@link retireSharedTenantUser}).
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
    await admin.putUserWithHash(binding.user, tenant.credentials.amqp.passwordHash, tenant.credentials.amqp.hashingAlgorithm);
    await putTenantAmqpPermissions(admin, topology, tenant);
    await retireSharedTenantUser(admin, amqp.vhost, tenant.id);
  }
}

/**
 * Retires the user a tenant had before users were named per stage (its bare
 * tenant id, shared by every stage of the broker): takes its permissions on
 * this stage's virtual host away, and deletes it once no virtual host is left
 * where it has any, i.e. when the last stage that used it has been provisioned
 * anew. A stage not provisioned yet keeps it working meanwhile. A user that
 * has tags (an administrator, a monitoring user) is no tenant's and is left
 * alone.
 *
 * @example
 * await retireSharedTenantUser(admin, 'mysimbdp-local', 'zoo');
 */
export async function retireSharedTenantUser(
  admin: Pick<RabbitMqAdmin, 'userTags' | 'userVhosts' | 'deletePermissions' | 'deleteUser'>,
  vhost: string,
  tenant: string,
): Promise<void> {
  const tags = await admin.userTags(tenant);
  if (!tags || tags.length) return;
  await admin.deletePermissions(vhost, tenant);
  if ((await admin.userVhosts(tenant)).length === 0) await admin.deleteUser(tenant);
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
  const { routingKey, user } = amqp.tenants[0] as AmqpTopology['tenants'][number];
  const active = tenant.profile.status === 'active';
  await admin.putPermissions(amqp.vhost, user, { configure: NOTHING, write: active ? `^${escapeRegex(amqp.exchange)}$` : NOTHING, read: NOTHING });
  await admin.putTopicPermissions(amqp.vhost, user, {
    exchange: amqp.exchange,
    write: active ? `^${escapeRegex(routingKey)}$` : NOTHING,
    read: NOTHING,
  });
}
