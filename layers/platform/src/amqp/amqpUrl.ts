/**
 * An AMQP URL with credentials and virtual host, each URL-encoded.
 *
 * @example
 * amqpUrl('amqp://127.0.0.1:5672', 'zoo', 's3cret', 'mysimbdp-local');
 * // 'amqp://zoo:s3cret@127.0.0.1:5672/mysimbdp-local'
 */
export function amqpUrl(base: string, username: string, password: string, vhost: string): string {
  const url = new URL(base);
  url.username = encodeURIComponent(username);
  url.password = encodeURIComponent(password);
  url.pathname = `/${encodeURIComponent(vhost)}`;
  return url.toString();
}
