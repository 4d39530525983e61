import { expect } from '@jest/globals';
import type cassandra from 'cassandra-driver';
import { tenantAmqpUser } from '../../layers/platform/src/amqp/tenantAmqpUser';
import { LoginThrottle } from '../../layers/platform/src/auth/LoginThrottle';
import { LoginThrottleStore } from '../../layers/platform/src/auth/LoginThrottleStore';
import { ensurePlatformSchema } from '../../layers/platform/src/cassandra/platformSchema';
import { ConfigurationError, TooManyRequestsError } from '../../layers/platform/src/errors';
import { OperatorLoginService } from '../../layers/platform/src/operator/OperatorLoginService';
import { OperatorTokens } from '../../layers/platform/src/operator/OperatorTokens';
import { DEMO } from '../helpers/demoTenants';
import { api, config, connectCassandra, login, waitFor } from '../helpers/testPlatform';

/** The topic permission of the tenant's user of this stage on the stage's exchange, as RabbitMQ's management API reports it. */
async function topicWritePermission(tenant: string): Promise<string | undefined> {
  const vhost = encodeURIComponent(config.amqp.vhost);
  const user = encodeURIComponent(tenantAmqpUser(config.amqp.vhost, tenant));
  const response = await fetch(`${config.amqp.managementUrl}/api/topic-permissions/${vhost}/${user}`, {
    headers: { authorization: `Basic ${Buffer.from(`${config.amqp.adminUsername}:${config.amqp.adminPassword}`).toString('base64')}` },
  });
  const permissions = (await response.json()) as Array<{ exchange: string; write: string }>;
  return permissions.find((permission) => permission.exchange === 'mysimbdp.ingest')?.write;
}

describe('the operator API', () => {
  let token: string;

  beforeAll(async () => {
    const reply = await api('POST', '/operator/login', { password: config.auth.operatorPassword });
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ tokenType: 'Bearer', role: 'operator' });
    token = reply.body.token as string;
  });

  afterAll(async () => {
    await api('POST', '/operator/tenants/shop/status', { status: 'active' }, token);
  });

  it('refuses a wrong operator password, a tenant password and a malformed login', async () => {
    expect(await api('POST', '/operator/login', { password: 'not-the-operator-password' })).toMatchObject({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: 'wrong operator password' },
    });
    expect((await api('POST', '/operator/login', { password: DEMO.zoo.password })).status).toBe(401);
    expect((await api('POST', '/operator/login', {})).status).toBe(400);
  });

  it("keeps tenants' and the operator's routes apart", async () => {
    const tenantToken = await login('zoo');
    expect(await api('GET', '/operator/tenants', undefined, tenantToken)).toMatchObject({ status: 403, body: { error: 'ACCESS_DENIED' } });
    expect((await api('POST', '/operator/tenants/zoo/status', { status: 'disabled' }, tenantToken)).status).toBe(403);
    expect((await api('GET', '/tenants/zoo/profile', undefined, token)).status).toBe(401);
    expect((await api('GET', '/tenants/zoo/metrics', undefined, token)).status).toBe(401);
    expect((await api('GET', '/operator/tenants')).status).toBe(401);
  });

  it('shows every tenant with its status, usage against quota, failures and dead letters, and the health of the services', async () => {
    const reply = await api('GET', '/operator/tenants?hours=24', undefined, token);
    expect(reply.status).toBe(200);
    const tenants = reply.body.tenants as Array<Record<string, unknown>>;
    expect(tenants.map((tenant) => tenant.tenant)).toEqual(expect.arrayContaining(['shop', 'zoo']));
    const shop = tenants.find((tenant) => tenant.tenant === 'shop');
    expect(shop).toMatchObject({
      status: 'active',
      usage: { maxFiles: 1000, maxBytes: 1024 ** 3, files: expect.any(Number), bytes: expect.any(Number) },
      window: { files: expect.any(Number), rejectedFiles: expect.any(Number), failedFiles: expect.any(Number) },
      stream: { backlog: expect.any(Number), deadLetters: expect.any(Number) },
    });
    expect(tenants.find((tenant) => tenant.tenant === 'zoo')).toMatchObject({ usage: { files: null, bytes: null, maxFiles: null, maxBytes: null } });
    expect(reply.body.batchDeadLetterQueue).toEqual({ name: 'mysimbdp-test-batch-ingest-dlq', messages: expect.any(Number) });
    expect(reply.body.health).toMatchObject({
      status: 'up',
      services: { s3: { status: 'up' }, sqs: { status: 'up' }, cassandra: { status: 'up' }, rabbitmq: { status: 'up' } },
    });
    expect((await api('GET', '/operator/tenants?hours=0', undefined, token)).status).toBe(400);
  });

  it('disables a tenant in the registry and in RabbitMQ, and enables it again', async () => {
    const disabled = await api('POST', '/operator/tenants/shop/status', { status: 'disabled' }, token);
    expect(disabled).toMatchObject({ status: 200, body: { tenant: 'shop', status: 'disabled', amqp: { updated: true } } });
    expect(await topicWritePermission('shop')).toBe('^$');
    const refused = await waitFor('shop logins to be refused', async () => {
      const reply = await api('POST', '/auth/login', { tenant: 'shop', password: DEMO.shop.password });
      return reply.status === 403 ? reply : undefined;
    });
    expect(refused.body.message).toBe('tenant shop is disabled; ask the platform operator to enable it');
    const overview = await api('GET', '/operator/tenants', undefined, token);
    expect((overview.body.tenants as Array<Record<string, unknown>>).find((tenant) => tenant.tenant === 'shop')?.status).toBe('disabled');

    expect(await api('POST', '/operator/tenants/shop/status', { status: 'active' }, token)).toMatchObject({ status: 200, body: { status: 'active' } });
    expect(await topicWritePermission('shop')).toBe('^shop$');
    await waitFor('shop logins to work again', async () =>
      (await api('POST', '/auth/login', { tenant: 'shop', password: DEMO.shop.password })).status === 200 ? true : undefined,
    );
  });

  it('refuses a bad status, a bad tenant id and an unknown tenant', async () => {
    expect((await api('POST', '/operator/tenants/shop/status', { status: 'paused' }, token)).status).toBe(400);
    expect((await api('POST', '/operator/tenants/Not-A-Tenant/status', { status: 'active' }, token)).status).toBe(400);
    expect(await api('POST', '/operator/tenants/nobody/status', { status: 'active' }, token)).toMatchObject({
      status: 404,
      body: { message: 'no tenant nobody in the tenant registry' },
    });
  });
});

describe("the operator's login throttle", () => {
  /** A keyspace of its own: locking the stage's operator login would lock the other tests out. */
  const keyspace = `${config.cassandra.keyspacePrefix}operator_lockout`;
  let client: cassandra.Client;
  const policy = { windowSeconds: 60, maxFailedPerTenantAndSource: 5, maxFailedPerSource: 20, maxFailedPerTenant: 50, maxConcurrentPerSource: 2 };

  beforeAll(async () => {
    client = await connectCassandra();
    await ensurePlatformSchema(client, keyspace, config.cassandra.replication);
    await client.execute(`TRUNCATE ${keyspace}.login_throttle`);
  });

  afterAll(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
    await client.shutdown();
  });

  it('locks a source out after 5 failures within the window, even for the right password; another source may still log in', async () => {
    const logins = new OperatorLoginService(
      'the-right-password',
      new LoginThrottle(new LoginThrottleStore(client, keyspace), policy),
      new OperatorTokens('x'.repeat(48), 900),
    );
    for (let attempt = 0; attempt < 5; attempt += 1) await expect(logins.login('wrong', '192.0.2.7')).rejects.toThrow('wrong operator password');
    await expect(logins.login('the-right-password', '192.0.2.7')).rejects.toThrow(TooManyRequestsError);
    await expect(logins.login('the-right-password', '192.0.2.8')).resolves.toMatchObject({ token: expect.any(String) });
  });

  it('refuses every login on a stage without an operator password', async () => {
    const logins = new OperatorLoginService('', new LoginThrottle(new LoginThrottleStore(client, keyspace), policy), new OperatorTokens('x'.repeat(48), 900));
    await expect(logins.login('', '192.0.2.9')).rejects.toThrow(ConfigurationError);
  });
});
