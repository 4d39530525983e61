import { InvalidArgumentError } from 'commander';
import { tenantAmqpUser } from '../layers/platform/src';

/**
 * The URL `ingestmessage --amqp` connects with: the broker and virtual host
 * given, the tenant's secret, and as user the tenant's user of that stage,
 * derived from the virtual host (`amqp://host/mysimbdp-local`, tenant `zoo`:
 * user `mysimbdp-local-zoo`), so that the tenant gives its tenant id only. A
 * user written in the URL is taken as it is.
 *
 * @example
 * tenantAmqpUrl('amqp://127.0.0.1:5672/mysimbdp-local', 'zoo', secret);
 * // 'amqp://mysimbdp-local-zoo:<secret>@127.0.0.1:5672/mysimbdp-local'
 */
export function tenantAmqpUrl(url: string, tenant: string, secret: string): string {
  const target = new URL(url);
  const vhost = decodeURIComponent(target.pathname.slice(1));
  if (!vhost || vhost === '/') {
    throw new InvalidArgumentError(`--amqp: give the stage's virtual host in the URL, e.g. ${target.protocol}//${target.host}/mysimbdp-local`);
  }
  if (!target.username) target.username = encodeURIComponent(tenantAmqpUser(vhost, tenant));
  target.password = encodeURIComponent(secret);
  return target.toString();
}
