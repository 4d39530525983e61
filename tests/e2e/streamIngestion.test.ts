import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from '@jest/globals';
import amqp from 'amqplib';
import type cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { amqpUrl } from '../../layers/platform/src/amqp/amqpUrl';
import { RabbitMqAdmin } from '../../layers/platform/src/provisioning/RabbitMqAdmin';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { CassandraTenantRegistry } from '../../layers/platform/src/tenants/TenantRegistry';
import { decodePack } from '../../layers/platform/src/stream/StreamPack';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { amqpUser, api, config, connectCassandra, login, runCli, topology, waitFor } from '../helpers/testPlatform';

const run = randomUUID().slice(0, 8);
const DAY = '2026-11-01';
const DAY_START = Date.UTC(2026, 10, 1);
const amqpBase = `${config.amqp.url}/${config.amqp.vhost}`;

/** NDJSON readings of one tracker, each with its message id in `msg_id`. */
function readings(dev: string, count: number, poisonAt?: number): { ids: string[]; text: string } {
  const ids: string[] = [];
  const lines = Array.from({ length: count }, (_, n) => {
    const id = `${dev}-${n}`;
    ids.push(id);
    return JSON.stringify({
      msg_id: id,
      'dev-id': dev,
      time: DAY_START + n * 10,
      temperature: n === poisonAt ? 'hot' : 20 + (n % 10),
      humidity: 50,
      battery: 2900,
    });
  });
  return { ids, text: `${lines.join('\n')}\n` };
}

describe('near-realtime ingestion: ingestmessage -> RabbitMQ -> bridge -> SQS -> stream-ingest function -> Cassandra', () => {
  let client: cassandra.Client;
  let folder: string;
  const bridge = new BridgeProcess('test', 'bridge-test', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  async function landed(dev: string): Promise<string[]> {
    const result = await client.execute('SELECT message_id FROM test_tenant_zoo.live_readings WHERE dev_id = ? AND day = ?', [dev, DAY], {
      fetchSize: 100_000,
    });
    return result.rows.map((row) => row.get('message_id') as string);
  }

  async function waitForRows(dev: string, count: number, timeoutMs = 90_000): Promise<string[]> {
    return waitFor(
      `${count} rows of ${dev}`,
      async () => {
        const ids = await landed(dev);
        return ids.length >= count ? ids : undefined;
      },
      timeoutMs,
      1000,
    );
  }

  async function publish(args: string[], text: string, env: Record<string, string> = {}) {
    const file = join(folder, `${randomUUID()}.ndjson`);
    await writeFile(file, text);
    return runCli('clients/ingestmessage.ts', ['--tenant', 'zoo', '--file', file, '--id-field', 'msg_id', '--json', ...args], env);
  }

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await mkdtemp(join(tmpdir(), 'stream-'));
    await bridge.start();
  });

  afterAll(async () => {
    await bridge.stop();
    await client.shutdown();
  });

  it('lands N messages over AMQP and M over HTTP exactly once', async () => {
    const overAmqp = readings(`amqp-${run}`, 400);
    const overHttp = readings(`http-${run}`, 250);
    const [amqpRun, httpRun] = await Promise.all([
      publish(['--amqp', amqpBase], overAmqp.text, { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret }),
      publish(['--api', process.env.MYSIMBDP_API_URL as string], overHttp.text, { MYSIMBDP_PASSWORD: DEMO.zoo.password }),
    ]);
    expect(amqpRun.status).toBe(0);
    expect(JSON.parse(amqpRun.stdout)).toMatchObject({ via: 'amqp', published: 400, confirmed: 400, notConfirmed: 0 });
    expect(httpRun.status).toBe(0);
    expect(JSON.parse(httpRun.stdout)).toMatchObject({ via: 'http', published: 250, confirmed: 250 });

    const amqpRows = await waitForRows(`amqp-${run}`, 400);
    const httpRows = await waitForRows(`http-${run}`, 250);
    await sleep(3000);
    expect((await landed(`amqp-${run}`)).sort()).toEqual([...overAmqp.ids].sort());
    expect((await landed(`http-${run}`)).sort()).toEqual([...overHttp.ids].sort());
    expect(amqpRows).toHaveLength(400);
    expect(httpRows).toHaveLength(250);

    const report = await api('GET', '/tenants/zoo/stream-report?hours=1', undefined, await login('zoo'));
    expect(report.status).toBe(200);
    expect(report.body.messages).toBeGreaterThanOrEqual(650);
    const latency = report.body.latencyMs as Record<string, number>;
    expect(latency.p50).toBeGreaterThan(0);
    expect(latency.p95).toBeGreaterThanOrEqual(latency.p50 as number);
    expect(latency.max).toBeGreaterThanOrEqual(latency.p95 as number);
  });

  it('dead-letters a poison message and reports it, while the rest land', async () => {
    const dev = `poison-${run}`;
    const batch = readings(dev, 30, 7);
    const published = await publish(['--amqp', amqpBase], batch.text, { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret });
    expect(published.status).toBe(0);
    const rows = await waitForRows(dev, 29);
    expect(rows.sort()).toEqual(batch.ids.filter((id) => id !== `${dev}-7`).sort());

    const sqs = createSqsClient(config);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: topology.streamQueue('zoo').deadLetterName }));
    const dead = await waitFor(
      'the poison message in the dead-letter queue',
      async () => {
        const reply = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }));
        return reply.Messages?.find((message) => message.MessageAttributes?.messageId?.StringValue === `${dev}-7`);
      },
      90_000,
      1000,
    );
    expect(decodePack(dead.Body as string)).toEqual([
      expect.objectContaining({ messageId: `${dev}-7`, attempts: 3, body: expect.objectContaining({ temperature: 'hot' }) }),
    ]);
    expect(dead.MessageAttributes?.reason?.StringValue).toMatch(/temperature: "hot" is not a number/);

    const report = await api('GET', '/tenants/zoo/stream-report?hours=1', undefined, await login('zoo'));
    expect(report.body.failures).toBeGreaterThanOrEqual(3);
    expect((report.body.deadLetterQueue as { messages: number }).messages).toBeGreaterThanOrEqual(1);
  });

  it('loses and duplicates nothing when the bridge is killed mid-stream and restarted', async () => {
    const dev = `crash-${run}`;
    const stream = readings(dev, 3000);
    const publishing = publish(['--amqp', amqpBase, '--rate', '600'], stream.text, { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret });
    await waitFor('the stream to be flowing', async () => ((await landed(dev)).length > 300 ? true : undefined), 60_000, 200);
    await bridge.kill();
    const whileDown = (await landed(dev)).length;
    expect(whileDown).toBeLessThan(3000);
    await sleep(2000);
    await bridge.start();
    const result = await publishing;
    expect(JSON.parse(result.stdout)).toMatchObject({ published: 3000, confirmed: 3000 });
    await waitForRows(dev, 3000, 120_000);
    await sleep(3000);
    const rows = await landed(dev);
    expect(rows).toHaveLength(3000);
    expect(new Set(rows)).toEqual(new Set(stream.ids));
  });

  it("does not let a tenant publish into another tenant's queue", async () => {
    const admin = new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword);
    const shopQueue = topology.amqp(['shop']).tenants[0]?.queue as string;
    const before = await admin.queueDepth(config.amqp.vhost, shopQueue);
    const attempts: Array<(channel: amqp.ConfirmChannel) => void> = [
      (channel) => channel.publish('mysimbdp.ingest', 'shop', Buffer.from('{"order_id":"x"}')),
      (channel) => channel.sendToQueue(shopQueue, Buffer.from('{"order_id":"x"}')),
      (channel) => void channel.consume(shopQueue, () => undefined).catch(() => undefined),
    ];
    for (const attempt of attempts) {
      const connection = await amqp.connect(amqpUrl(config.amqp.url, amqpUser('zoo'), DEMO.zoo.amqpSecret, config.amqp.vhost));
      const channel = await connection.createConfirmChannel();
      const closed = new Promise<string>((resolve) => channel.on('error', (error: Error) => resolve(error.message)));
      attempt(channel);
      await expect(closed).resolves.toMatch(/ACCESS_REFUSED/);
      await connection.close().catch(() => undefined);
    }
    const cli = await runCli(
      'clients/ingestmessage.ts',
      ['--tenant', 'shop', '--amqp', amqpBase, '--json'],
      { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret },
      '{"order_id":"o-1"}\n',
    );
    expect(cli.status).toBe(3);
    expect(cli.stderr).toMatch(/ACCESS_REFUSED/);
    expect(await admin.queueDepth(config.amqp.vhost, shopQueue)).toBe(before);
  });

  it('picks up a tenant added while it runs', async () => {
    folder = await tenantsFolder();
    const secret = await addTenant(folder, 'newbie', 'newbie-password-123', ['--formats', 'ndjson']);
    const published = await runCli(
      'clients/ingestmessage.ts',
      ['--tenant', 'newbie', '--amqp', amqpBase, '--json'],
      { MYSIMBDP_AMQP_PASSWORD: secret },
      '{"hello":"world"}\n',
    );
    expect(JSON.parse(published.stdout)).toMatchObject({ confirmed: 1 });
    // The bridge forwards it, the stream function (whose pollers follow the registry) writes it.
    const row = await waitFor(
      "the new tenant's message in its table",
      async () => (await client.execute('SELECT body FROM test_tenant_newbie.stream_messages')).first() ?? undefined,
      30_000,
      500,
    );
    expect(JSON.parse(row.get('body') as string)).toEqual({ hello: 'world' });
  });

  it('keeps bridging the other tenants when one tenant has no queue, or loses it', async () => {
    // A tenant in the registry whose RabbitMQ queue does not exist: consuming it fails, on its own channel only.
    const registry = new CassandraTenantRegistry(client, topology.platformKeyspace, 0);
    const zoo = JSON.parse(await readFile('tenants/zoo/profile.json', 'utf8')) as Record<string, unknown>;
    await registry.put(
      'ghost',
      { ...zoo, tenant: 'ghost', keyspace: 'tenant_ghost' } as never,
      JSON.parse(await readFile('tenants/zoo/credentials.json', 'utf8')) as never,
    );
    const admin = new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword);
    await admin.deleteQueue(config.amqp.vhost, topology.amqp(['newbie']).tenants[0]?.queue as string);
    try {
      await sleep(2500);
      const dev = `after-${run}`;
      const batch = readings(dev, 20);
      expect((await publish(['--amqp', amqpBase], batch.text, { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret })).status).toBe(0);
      expect((await waitForRows(dev, 20)).sort()).toEqual([...batch.ids].sort());
    } finally {
      await registry.remove('ghost');
    }
  });

  it('refuses an oversized or malformed message on the HTTP queue endpoint', async () => {
    const token = await login('zoo');
    const big = await api('POST', '/tenants/zoo/messages', { body: { pad: 'x'.repeat(20_000) } }, token);
    expect(big.status).toBe(422);
    expect(big.body).toMatchObject({ constraint: 'stream.maxMessageSize' });
    expect((await api('POST', '/tenants/zoo/messages', { messages: [{ id: 'a b', body: {} }] }, token)).status).toBe(400);
    expect((await api('POST', '/tenants/zoo/messages', { nothing: true }, token)).status).toBe(400);
  });
});
