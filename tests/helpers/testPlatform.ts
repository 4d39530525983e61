import cassandra from 'cassandra-driver';
import { setTimeout as sleep } from 'node:timers/promises';
import { tenantAmqpUser } from '../../layers/platform/src/amqp/tenantAmqpUser';
import { createCassandraClient } from '../../layers/platform/src/cassandra/createCassandraClient';
import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { Topology } from '../../layers/platform/src/topology/Topology';
import { DEMO } from './demoTenants';

/** The test stage, as `npm test` set it up: its configuration, topology and API. */
export const config = loadPlatformConfig(process.env);
export const topology = new Topology(config);
export const apiUrl = process.env.MYSIMBDP_API_URL ?? 'http://127.0.0.1:3100';
if (config.stage !== 'test') throw new Error('run the tests with `npm test` (stage test)');
/** A tenant's RabbitMQ user on the test stage. */
export const amqpUser = (tenant: string): string => tenantAmqpUser(config.amqp.vhost, tenant);

export interface ApiReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

/** Whether fetch failed because the server closed the connection it sent the request on. */
function closedUnderRequest(error: unknown): boolean {
  const code = ((error as Error).cause as { code?: string } | undefined)?.code;
  return code === 'UND_ERR_SOCKET' || code === 'ECONNRESET';
}

/**
 * One call to the platform API, as any HTTP client would make it. fetch keeps connections open between calls; a
 * test that kills serverless offline leaves them dead, and the first request sent on one fails with "other side
 * closed" without reaching the new process: such a request is sent once more, on a new connection.
 */
export async function api(method: string, path: string, body?: unknown, token?: string): Promise<ApiReply> {
  const send = () =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const response = await send().catch((error: unknown) => {
    if (!closedUnderRequest(error)) throw error;
    return send();
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: response.headers };
}

export async function login(tenant: string, password?: string): Promise<string> {
  const reply = await api('POST', '/auth/login', { tenant, password: password ?? DEMO[tenant as keyof typeof DEMO].password });
  if (reply.status !== 200) throw new Error(`login of ${tenant} failed: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.token as string;
}

/** A Cassandra client for reading back what the platform wrote. */
export async function connectCassandra(): Promise<cassandra.Client> {
  const client = createCassandraClient(config);
  await client.connect();
  return client;
}

/** Runs one of the repository's command-line tools, as a user would. */
export { runScript as runCli } from '../../localstack/process/runScript';

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await sleep(intervalMs);
  }
}
