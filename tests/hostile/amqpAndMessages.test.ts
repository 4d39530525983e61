import amqp, { type ConfirmChannel, type GetMessage } from 'amqplib';
import type cassandra from 'cassandra-driver';
import { amqpUrl } from '../../layers/platform/src/amqp/amqpUrl';
import { tenantAmqpUser } from '../../layers/platform/src/amqp/tenantAmqpUser';
import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { putTenantAmqpPermissions } from '../../layers/platform/src/provisioning/provisionAmqp';
import { RabbitMqAdmin } from '../../layers/platform/src/provisioning/RabbitMqAdmin';
import { CassandraTenantRegistry } from '../../layers/platform/src/tenants/TenantRegistry';
import { Topology } from '../../layers/platform/src/topology/Topology';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { amqpUser, api, config, connectCassandra, login, runCli, topology, waitFor } from '../helpers/testPlatform';

/**
 * Hostile input on the stream path: what a tenant may do over AMQP (publish
 * to the exchange with its own routing key, nothing else) and what becomes of
 * messages that are too large, grow past SQS's limit once packed, are not what
 * the tenant's app reads, have no id, share an id, or come in too large a batch.
 */
const vhost = config.amqp.vhost;
const exchange = topology.amqp([]).exchange;
const admin = new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword);
const queueOf = (tenant: string): { queue: string; rejectedQueue: string } => topology.amqp([tenant]).tenants[0] as { queue: string; rejectedQueue: string };

/** Opens a confirm channel as the tenant's user and does `action`; resolves with the error RabbitMQ closes the channel with. */
async function channelRefusal(action: (channel: ConfirmChannel) => unknown, tenant = 'zoo', secret: string = DEMO.zoo.amqpSecret): Promise<string> {
  const connection = await amqp.connect(amqpUrl(config.amqp.url, amqpUser(tenant), secret, vhost));
  connection.on('error', () => undefined);
  try {
    const channel = await connection.createConfirmChannel();
    const closed = new Promise<string>((resolve) => channel.on('error', (error: Error) => resolve(error.message)));
    void Promise.resolve()
      .then(() => action(channel))
      .catch(() => undefined);
    return await closed;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Publishes one message as a tenant and waits for RabbitMQ's confirm. */
async function publishAs(tenant: string, secret: string, content: Buffer, properties: amqp.Options.Publish = {}): Promise<void> {
  const connection = await amqp.connect(amqpUrl(config.amqp.url, amqpUser(tenant), secret, vhost));
  try {
    const channel = await connection.createConfirmChannel();
    channel.publish(exchange, tenant, content, { persistent: true, ...properties });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
}

/** Takes the next message of a tenant's rejected queue (as the operator would, with the admin user). */
async function nextRejected(tenant: string): Promise<GetMessage> {
  const connection = await amqp.connect(amqpUrl(config.amqp.url, config.amqp.adminUsername, config.amqp.adminPassword, vhost));
  try {
    const channel = await connection.createChannel();
    const message = await waitFor(
      `a message in ${queueOf(tenant).rejectedQueue}`,
      async () => (await channel.get(queueOf(tenant).rejectedQueue, { noAck: true })) || undefined,
      30_000,
      250,
    );
    return message;
  } finally {
    await connection.close();
  }
}

describe('hostile AMQP publishers and messages', () => {
  let client: cassandra.Client;
  let folder: string;
  let secret: string;
  let disabledSecret: string;
  const bridge = new BridgeProcess('test', 'bridge-test-hostile', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });
  /** The rows of the tenant's messages; none before its first message made the table. */
  const rows = async (): Promise<Map<string, { body: string; publishedAt: Date }>> => {
    const result = await client
      .execute('SELECT message_id, body, published_at FROM test_tenant_hostile.stream_messages', [], { fetchSize: 10_000 })
      .catch((error: Error) => {
        if (/stream_messages does not exist/.test(error.message)) return { rows: [] };
        throw error;
      });
    return new Map(
      result.rows.map((row) => [row.get('message_id') as string, { body: row.get('body') as string, publishedAt: row.get('published_at') as Date }]),
    );
  };

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await tenantsFolder();
    secret = await addTenant(folder, 'hostile', 'hostile-password-1', ['--formats', 'ndjson']);
    disabledSecret = await addTenant(folder, 'muted', 'muted-password-12', ['--formats', 'ndjson']);
    const disabled = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'disable', 'muted']);
    if (disabled.status !== 0) throw new Error(disabled.stderr);
    await bridge.start();
  });

  afterAll(async () => {
    await bridge.stop();
    await client.shutdown();
  });

  describe('AMQP permissions: a tenant publishes to the exchange with its own routing key, and does nothing else', () => {
    it("refuses a publish to another tenant's routing key, which reaches nothing", async () => {
      const before = await admin.queueDepth(vhost, queueOf('shop').queue);
      expect(await channelRefusal((channel) => channel.publish(exchange, 'shop', Buffer.from('{"order_id":"x"}')))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to topic 'shop' in exchange '${exchange}' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
      expect(await admin.queueDepth(vhost, queueOf('shop').queue)).toBe(before);
    });

    it("refuses a publish straight to another tenant's queue through the default exchange", async () => {
      expect(await channelRefusal((channel) => channel.sendToQueue(queueOf('shop').queue, Buffer.from('{}')))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange 'amq.default' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it('refuses a publish straight to its own queue, past the exchange and its routing', async () => {
      expect(await channelRefusal((channel) => channel.sendToQueue(queueOf('zoo').queue, Buffer.from('{}')))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange 'amq.default' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it('refuses a publish to the dead-letter exchange of rejected messages', async () => {
      const deadLetters = topology.amqp([]).deadLetterExchange;
      expect(await channelRefusal((channel) => channel.publish(deadLetters, 'zoo', Buffer.from('{}')))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange '${deadLetters}' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it('refuses declaring a queue', async () => {
      expect(await channelRefusal((channel) => channel.assertQueue('zoo-own-queue'))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to queue 'zoo-own-queue' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it('refuses consuming, even its own queue', async () => {
      expect(await channelRefusal((channel) => channel.consume(queueOf('zoo').queue, () => undefined))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to queue '${queueOf('zoo').queue}' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
      expect(await channelRefusal((channel) => channel.get(queueOf('shop').queue))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to queue '${queueOf('shop').queue}' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it("refuses binding its queue to another tenant's routing key", async () => {
      expect(await channelRefusal((channel) => channel.bindQueue(queueOf('zoo').queue, exchange, 'shop'))).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to queue '${queueOf('zoo').queue}' in vhost '${vhost}' refused for user '${amqpUser('zoo')}'"`,
      );
    });

    it("refuses a connection to a virtual host that is not the stage's", async () => {
      // RabbitMQ closes the connection at its opening (530 NOT_ALLOWED), which amqplib reports thus.
      await expect(amqp.connect(amqpUrl(config.amqp.url, amqpUser('zoo'), DEMO.zoo.amqpSecret, '/'))).rejects.toThrow(
        'Expected ConnectionOpenOk; got <ConnectionClose channel:0>',
      );
      // The same credentials open the stage's own.
      await (await amqp.connect(amqpUrl(config.amqp.url, amqpUser('zoo'), DEMO.zoo.amqpSecret, vhost))).close();
    });

    it('refuses a wrong secret, and says nothing of whether the tenant exists', async () => {
      const refusal =
        'Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused using authentication mechanism PLAIN.';
      await expect(amqp.connect(amqpUrl(config.amqp.url, amqpUser('zoo'), 'not-the-secret', vhost))).rejects.toThrow(refusal);
      await expect(amqp.connect(amqpUrl(config.amqp.url, amqpUser('nobody'), 'not-the-secret', vhost))).rejects.toThrow(refusal);
    });

    it("refuses a disabled tenant's publish", async () => {
      expect(await channelRefusal((channel) => channel.publish(exchange, 'muted', Buffer.from('{}')), 'muted', disabledSecret)).toBe(
        `Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - access to exchange '${exchange}' in vhost '${vhost}' refused for user '${amqpUser('muted')}'"`,
      );
    });
  });

  describe("stages: a tenant's AMQP credentials of one stage open no other stage's virtual host", () => {
    // Another stage on the same broker, provisioned for zoo as provisioning does it (the stage `local` of a
    // developer's `npm start` is not touched: its user is tried below only where it must be refused).
    const other = new Topology(loadPlatformConfig({ ...process.env, MYSIMBDP_STAGE: 'isolationcheck' }));
    const otherVhost = other.amqp([]).vhost;
    const otherUser = other.amqp(['zoo']).tenants[0]?.user as string;
    const notAllowed = 'Expected ConnectionOpenOk; got <ConnectionClose channel:0>';
    const opens = async (user: string, onVhost: string) => (await amqp.connect(amqpUrl(config.amqp.url, user, DEMO.zoo.amqpSecret, onVhost))).close();

    beforeAll(async () => {
      const zoo = await new CassandraTenantRegistry(client, topology.platformKeyspace, 0).get('zoo');
      if (!zoo) throw new Error('the demo tenant zoo is not registered');
      await admin.putVhost(otherVhost);
      await admin.putUserWithHash(otherUser, zoo.credentials.amqp.passwordHash, zoo.credentials.amqp.hashingAlgorithm);
      await putTenantAmqpPermissions(admin, other, zoo);
    });

    afterAll(async () => {
      await admin.deleteUser(otherUser);
      await admin.deleteVhost(otherVhost);
    });

    it('names the user of each stage apart, with the same secret', () => {
      expect([amqpUser('zoo'), otherUser]).toEqual(['mysimbdp-test-zoo', 'mysimbdp-isolationcheck-zoo']);
    });

    it("refuses the other stage's user on this stage's virtual host, and this stage's user on the other's", async () => {
      await expect(opens(otherUser, vhost)).rejects.toThrow(notAllowed);
      await expect(opens(amqpUser('zoo'), otherVhost)).rejects.toThrow(notAllowed);
      // Each opens its own.
      await opens(otherUser, otherVhost);
      await opens(amqpUser('zoo'), vhost);
    });

    it("refuses the local stage's tenant user on the test stage's virtual host, whether that stage is provisioned or not", async () => {
      await expect(opens(tenantAmqpUser('mysimbdp-local', 'zoo'), vhost)).rejects.toThrow();
      // Nor does the tenant id alone, the user every stage once shared, open it.
      await expect(opens('zoo', vhost)).rejects.toThrow();
    });
  });

  describe('messages', () => {
    it("rejects a message over the tenant's size limit to its rejected queue, with the reason", async () => {
      const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(20_000) }));
      await publishAs('zoo', DEMO.zoo.amqpSecret, big, { messageId: 'too-big-1' });
      const rejected = await nextRejected('zoo');
      expect(rejected.properties.messageId).toBe('too-big-1');
      expect(rejected.properties.headers?.['x-rejected-reason']).toBe(`the message is ${big.length} bytes; tenant zoo accepts messages up to 16384 bytes`);
      expect(rejected.content).toEqual(big);
    });

    it('rejects a message that grows past SQS once packed, instead of requeueing it forever', async () => {
      // 200 KiB of control characters: under the tenant's 256 KiB, but each becomes six bytes ("\u0001") in a pack.
      const controls = Buffer.alloc(200 * 1024, 1);
      await publishAs('hostile', secret, controls, { messageId: 'escapes-1' });
      const rejected = await nextRejected('hostile');
      expect(rejected.properties.messageId).toBe('escapes-1');
      expect(rejected.properties.headers?.['x-rejected-reason']).toMatch(
        /^the message is 204800 bytes but 1228\d{3} bytes once packed for SQS \(characters JSON must escape\), over SQS's 256000-byte limit; send it as JSON, or smaller$/,
      );
      expect(rejected.content).toEqual(controls);
      expect((await rows()).has('escapes-1')).toBe(false);
    });

    it('refuses the same message on the HTTP queue endpoint with 422, so no client retries it forever', async () => {
      const token = await login('hostile', 'hostile-password-1');
      const reply = await api('POST', '/tenants/hostile/messages', { messages: [{ id: 'escapes-2', body: '\u0001'.repeat(100 * 1024) }] }, token);
      expect(reply.status).toBe(422);
      expect(reply.body).toMatchObject({ error: 'CONSTRAINT_VIOLATION', constraint: 'stream.maxMessageSize' });
      expect(reply.body.message).toMatch(
        /^messages\[0\] is 100 KiB but .* once packed for SQS \(characters JSON must escape\), over SQS's limit; send it as JSON, or smaller$/,
      );
    });

    it("dead-letters a message the tenant's JSON app cannot read, with the reason, and writes nothing of it", async () => {
      await publishAs('zoo', DEMO.zoo.amqpSecret, Buffer.from('temperature=21'), { messageId: 'not-json-1' });
      const listed = await waitFor(
        'the message in the dead-letter queue',
        async () => {
          const run = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'dead-letters', 'zoo', '--json']);
          const stream = (JSON.parse(run.stdout) as Record<string, Array<{ kind: string; reasons: Array<{ reason: string }> }>>).zoo?.find(
            (summary) => summary.kind === 'stream',
          );
          return stream?.reasons.find(({ reason }) => reason.startsWith('message not-json-1:'));
        },
        60_000,
        1000,
      );
      expect(listed.reason).toBe('message not-json-1: the message is not a JSON object');
      const written = await client.execute("SELECT message_id FROM test_tenant_zoo.live_readings WHERE message_id = 'not-json-1' ALLOW FILTERING");
      expect(written.rows).toHaveLength(0);
    });

    it('gives a message without an id one that its content and properties fix, so a repeat is the same row', async () => {
      const body = Buffer.from('{"reading":"no-id-1"}');
      await publishAs('hostile', secret, body);
      await publishAs('hostile', secret, body);
      await publishAs('hostile', secret, Buffer.from('{"reading":"no-id-2"}'));
      const written = await waitFor(
        'the messages without an id',
        async () => {
          const all = [...(await rows())];
          const of = (text: string) => all.filter(([, row]) => row.body.includes(text));
          return of('no-id-1').length && of('no-id-2').length ? { one: of('no-id-1'), two: of('no-id-2') } : undefined;
        },
        30_000,
        500,
      );
      expect(written.one).toHaveLength(1);
      expect(written.two).toHaveLength(1);
      expect(written.one[0]?.[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(written.one[0]?.[0]).not.toBe(written.two[0]?.[0]);
    });

    it('keeps one row for two messages with the same id', async () => {
      await publishAs('hostile', secret, Buffer.from('{"n":1}'), { messageId: 'dup-1' });
      await publishAs('hostile', secret, Buffer.from('{"n":2}'), { messageId: 'dup-1' });
      const token = await login('hostile', 'hostile-password-1');
      expect((await api('POST', '/tenants/hostile/messages', { messages: [{ id: 'dup-1', body: { n: 3 } }] }, token)).status).toBe(202);
      await waitFor('a row for dup-1', async () => ((await rows()).has('dup-1') ? true : undefined), 30_000, 500);
      expect([...(await rows()).keys()].filter((id) => id === 'dup-1')).toEqual(['dup-1']);
      expect(['{"n":1}', '{"n":2}', '{"n":3}']).toContain((await rows()).get('dup-1')?.body);
    });

    it('refuses a batch of more than 500 messages on the HTTP endpoint, and a body over 1 MiB', async () => {
      const token = await login('hostile', 'hostile-password-1');
      const many = await api(
        'POST',
        '/tenants/hostile/messages',
        { messages: Array.from({ length: 501 }, (_, n) => ({ id: `many-${n}`, body: { n } })) },
        token,
      );
      expect(many.status).toBe(400);
      expect(many.body).toEqual({ error: 'INVALID_INPUT', message: 'at most 500 messages per request' });
      const huge = await api('POST', '/tenants/hostile/messages', { messages: [{ id: 'huge-1', body: 'x'.repeat(1024 * 1024) }] }, token);
      expect(huge.status).toBe(400);
      expect(huge.body).toEqual({ error: 'INVALID_INPUT', message: 'the request body is over 1048576 bytes' });
      expect((await rows()).has('many-0')).toBe(false);
    });

    it('refuses a bad publishedAt on the HTTP endpoint, and over AMQP takes the time the bridge forwarded it', async () => {
      const token = await login('hostile', 'hostile-password-1');
      const bad = await api('POST', '/tenants/hostile/messages', { messages: [{ id: 'when-1', publishedAt: 'yesterday', body: {} }] }, token);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'INVALID_INPUT', message: 'messages[0]: publishedAt must be an ISO 8601 date-time' });
      const before = Date.now();
      await publishAs('hostile', secret, Buffer.from('{"when":"bad header"}'), { messageId: 'when-2', headers: { 'x-published-at-ms': 'yesterday' } });
      const row = await waitFor('the message with a bad publish time', async () => (await rows()).get('when-2'), 30_000, 500);
      expect(row.publishedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(row.publishedAt.getTime()).toBeLessThanOrEqual(Date.now());
    });
  });
});
