import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RabbitMqAdmin } from '../../layers/platform/src/provisioning/RabbitMqAdmin';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { StreamQueueSender } from '../../layers/platform/src/stream/StreamQueueSender';
import type { TenantCredentials } from '../../layers/platform/src/tenants/TenantCredentials';
import { CassandraTenantRegistry } from '../../layers/platform/src/tenants/TenantRegistry';
import type { TenantProfileInput } from '../../layers/platform/src/tenants/TenantProfile';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { ManagedProcess } from '../../localstack/process/ManagedProcess';
import { logFile, pidFile } from '../../localstack/paths';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { api, config, connectCassandra, runCli, topology, waitFor } from '../helpers/testPlatform';

const TENANT = 'lifecycle';
const amqpBase = `${config.amqp.url}/${config.amqp.vhost}`;
const sqs = createSqsClient(config);
const admin = new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword);
/** The log of the test stage's serverless offline, where its SQS pollers say what they poll. */
const platformLog = new ManagedProcess('serverless-offline-test', pidFile('serverless-offline-test'), logFile('platform-test'));

describe('a tenant added, disabled, enabled and removed while the platform runs: the stream path follows within 15 s', () => {
  let client: cassandra.Client;
  let registry: CassandraTenantRegistry;
  let folder: string;
  let secret: string;
  const bridge = new BridgeProcess('test', 'bridge-test-lifecycle', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  const publish = (ids: string[], password = secret) =>
    runCli(
      'clients/ingestmessage.ts',
      ['--tenant', TENANT, '--amqp', amqpBase, '--id-field', 'id', '--json', '--patience', '5'],
      { MYSIMBDP_AMQP_PASSWORD: password },
      ids.map((id) => JSON.stringify({ id, reading: 1 })).join('\n'),
    );
  const landed = async (): Promise<Set<string>> =>
    new Set(
      (await client.execute(`SELECT message_id FROM test_tenant_${TENANT}.stream_messages`, [], { fetchSize: 10_000 })).rows.map(
        (row) => row.get('message_id') as string,
      ),
    );
  const waitForRows = (count: number, timeoutMs = 30_000) =>
    waitFor(`${count} rows of ${TENANT}`, async () => ((await landed()).size >= count ? true : undefined), timeoutMs, 250);
  const depth = async (name: string): Promise<number> => {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible) +
      Number(Attributes?.ApproximateNumberOfMessagesDelayed)
    );
  };
  /** Sets the tenant's status in the registry only, as the operator API does. */
  const setStatus = async (status: 'active' | 'disabled'): Promise<void> => {
    const profile = JSON.parse(await readFile(join(folder, TENANT, 'profile.json'), 'utf8')) as TenantProfileInput;
    const credentials = JSON.parse(await readFile(join(folder, TENANT, 'credentials.json'), 'utf8')) as TenantCredentials;
    await registry.put(TENANT, { ...profile, status }, credentials);
  };
  const pollerSays = (offset: number, text: string) =>
    waitFor(`the stream pollers to say "${text}"`, () => (platformLog.logSince(offset).includes(text) ? true : undefined), 15_000, 250);

  beforeAll(async () => {
    client = await connectCassandra();
    registry = new CassandraTenantRegistry(client, topology.platformKeyspace, 0);
    folder = await tenantsFolder();
    await bridge.start();
  });

  afterAll(async () => {
    await bridge.stop();
    await client.shutdown();
  });

  it('streams a tenant added at runtime, within 15 s, with no restart', async () => {
    const offset = platformLog.logSize();
    secret = await addTenant(folder, TENANT, 'lifecycle-password-1', ['--formats', 'ndjson']);
    const added = Date.now();
    await pollerSays(offset, `streamIngest: polling ${topology.streamQueue(TENANT).name}`);
    const ids = Array.from({ length: 50 }, (_, n) => `added-${n}`);
    expect(JSON.parse((await publish(ids)).stdout)).toMatchObject({ published: 50, confirmed: 50 });
    await waitForRows(50);
    expect(Date.now() - added).toBeLessThan(15_000);
    expect([...(await landed())].sort()).toEqual([...ids].sort());
  });

  it("holds a disabled tenant's messages (none lands, none is dead-lettered) and lands them when it is enabled again", async () => {
    const token = (await api('POST', '/auth/login', { tenant: TENANT, password: 'lifecycle-password-1' })).body.token as string;
    // Disabled in the registry only, as the operator API does: the stream path follows the registry.
    const offset = platformLog.logSize();
    await setStatus('disabled');
    await pollerSays(offset, `streamIngest: stopped polling ${topology.streamQueue(TENANT).name}`);
    const disabledAt = Date.now();
    // In flight when it was disabled: a message already in its SQS queue.
    const inFlight = await new StreamQueueSender(sqs, topology).send(TENANT, [
      { messageId: 'in-flight-1', publishedAt: new Date(), body: '{"id":"in-flight-1"}' },
    ]);
    expect(inFlight.sent).toBe(1);
    // Published meanwhile: RabbitMQ takes them, the bridge no longer forwards them.
    const held = Array.from({ length: 30 }, (_, n) => `held-${n}`);
    expect(JSON.parse((await publish(held)).stdout)).toMatchObject({ confirmed: 30 });
    const rabbitQueue = topology.amqp([TENANT]).tenants[0]?.queue as string;
    await waitFor(
      'the held messages in RabbitMQ',
      async () => ((await admin.queueDepth(config.amqp.vhost, rabbitQueue)) === 30 ? true : undefined),
      15_000,
      250,
    );

    // Nothing lands, nothing is dead-lettered, while it stays disabled (10 s, well past a poll and a bridge discovery).
    await waitFor('10 s of the tenant disabled', () => (Date.now() - disabledAt > 10_000 ? true : undefined), 15_000, 500);
    expect((await landed()).size).toBe(50);
    expect(await depth(topology.streamQueue(TENANT).deadLetterName)).toBe(0);
    expect(await depth(topology.streamQueue(TENANT).name)).toBe(1);
    // The HTTP queue endpoint refuses a disabled tenant (its registry cache is 5 s).
    const refused = await api('POST', `/tenants/${TENANT}/messages`, { body: { id: 'http-1' } }, token);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: 'ACCESS_DENIED', message: `tenant ${TENANT} is disabled; ask the platform operator to enable it` });

    const enabled = Date.now();
    await setStatus('active');
    await waitForRows(81);
    expect(Date.now() - enabled).toBeLessThan(15_000);
    const rows = await landed();
    for (const id of [...held, 'in-flight-1']) expect(rows.has(id)).toBe(true);
    expect(await depth(topology.streamQueue(TENANT).deadLetterName)).toBe(0);
  });

  it('refuses a publish of a tenant disabled with the CLI, and serves it again once enabled', async () => {
    const cli = (command: string) => runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, command, TENANT]);
    expect((await cli('disable')).status).toBe(0);
    const refused = await publish(['refused-1']);
    expect(refused.status).toBe(3);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/ACCESS.REFUSED/);
    expect((await cli('enable')).status).toBe(0);
    const enabled = Date.now();
    expect(JSON.parse((await publish(['after-enable-1'])).stdout)).toMatchObject({ confirmed: 1 });
    await waitFor('the message published after enabling', async () => ((await landed()).has('after-enable-1') ? true : undefined), 15_000, 250);
    expect(Date.now() - enabled).toBeLessThan(15_000);
    expect((await landed()).has('refused-1')).toBe(false);
  });

  it('stops polling a removed tenant, whose queues are gone', async () => {
    const offset = platformLog.logSize();
    const removed = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'remove', TENANT]);
    expect(removed.status).toBe(0);
    await pollerSays(offset, `streamIngest: stopped polling ${topology.streamQueue(TENANT).name}`);
    await expect(sqs.send(new GetQueueUrlCommand({ QueueName: topology.streamQueue(TENANT).name }))).rejects.toThrow(/does not exist/);
  });
});
