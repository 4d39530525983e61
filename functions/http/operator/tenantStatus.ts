import { assertTenantId, InvalidInputError, type StatusChange } from '../../../layers/platform/src';
import { operatorHttpHandler } from '../httpHandler';

/**
 * `POST /operator/tenants/{tenant}/status` `{ "status": "active" | "disabled" }`:
 * enables or disables a tenant in the tenant registry (logins, uploads, files
 * and stream messages follow within the registry's cache time) and in
 * RabbitMQ (its publish permission).
 */
export const handler = operatorHttpHandler<StatusChange>(async ({ path, body, platform }) => {
  const { status } = (body ?? {}) as { status?: unknown };
  if (status !== 'active' && status !== 'disabled') throw new InvalidInputError('send {"status": "active"} or {"status": "disabled"}');
  return { body: await platform.operator.setStatus(assertTenantId(path.tenant), status) };
});
