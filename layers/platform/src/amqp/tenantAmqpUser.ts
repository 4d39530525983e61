/**
 * The RabbitMQ user of a tenant on one stage: the stage's virtual host, a
 * dash, the tenant id (`mysimbdp-local-zoo`). RabbitMQ's users are global to
 * the broker, so a user per stage is what keeps one stage's credentials out of
 * another stage's virtual host. It is unambiguous (a tenant id has no dash)
 * and never a platform user's name (`mysimbdp-platform` has one dash only).
 * Clients derive it from the virtual host of the URL they are given, so a
 * tenant keeps typing its tenant id.
 *
 * @example
 * tenantAmqpUser('mysimbdp-local', 'zoo'); // 'mysimbdp-local-zoo'
 */
export function tenantAmqpUser(vhost: string, tenant: string): string {
  return `${vhost}-${tenant}`;
}
