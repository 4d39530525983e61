import type cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { RabbitMqService } from '../../localstack/services/RabbitMqService';
import { DEMO } from '../helpers/demoTenants';
import { recordFaultFigures } from '../helpers/faultFigures';
import { landedReadings, liveReadings } from '../helpers/liveReadings';
import { api, config, connectCassandra, runCli, waitFor } from '../helpers/testPlatform';

/**
 * RabbitMQ's broker process (beam.smp), shared by everyone on this machine,
 * killed with SIGKILL in the middle of a stream and started again. Run only
 * through the test lock (`npm test`); it always starts RabbitMQ again.
 */
const run = randomUUID().slice(0, 8);
const DAY = '2026-11-03';
const DAY_START = Date.UTC(2026, 10, 3);
const DEVICES = 10;
const RATE = 500;
const STREAM_SECONDS = 60;
const rabbit = new RabbitMqService();

describe("RabbitMQ's broker killed during a stream and started again", () => {
  let client: cassandra.Client;
  const bridge = new BridgeProcess('test', 'bridge-test-broker-fault', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  const landed = (): Promise<string[]> => landedReadings(client, `broker-${run}`, DAY, DEVICES);

  beforeAll(async () => {
    client = await connectCassandra();
    await bridge.start();
  });

  afterAll(async () => {
    await rabbit.start();
    await bridge.stop();
    await client.shutdown();
  });

  it('keeps the bridge and the platform up; the bridge reconnects; every confirmed message lands exactly once', async () => {
    const { ids, text } = liveReadings(`broker-${run}`, RATE * STREAM_SECONDS, DAY_START, DEVICES);
    const file = join(await mkdtemp(join(tmpdir(), 'fault-rabbitmq-')), 'stream.ndjson');
    await writeFile(file, text);
    const started = Date.now();
    const publishing = runCli(
      'clients/ingestmessage.ts',
      [
        '--tenant',
        'zoo',
        '--amqp',
        `${config.amqp.url}/${config.amqp.vhost}`,
        '--file',
        file,
        '--id-field',
        'msg_id',
        '--rate',
        String(RATE),
        '--json',
        '--patience',
        '300',
      ],
      { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret },
    );
    await waitFor('the stream to flow', async () => ((await landed()).length >= 3000 ? true : undefined), 60_000, 250);

    const broker = rabbit.runningPid();
    expect(broker).toBeDefined();
    const offset = bridge.process.logSize();
    const killedAt = Date.now();
    const landedAtKill = (await landed()).length;
    const publishedAtKill = Math.round(((killedAt - started) / 1000) * RATE);
    let servingAt: number;
    try {
      await rabbit.kill();
      expect(await rabbit.serving().catch(() => false)).toBe(false);
      // The platform stays up meanwhile: the bridge process lives, the API answers.
      expect(bridge.process.pid()).toBeDefined();
      expect((await api('GET', '/tenants/zoo/profile', undefined, undefined)).status).toBe(401);
      await rabbit.start();
      servingAt = Date.now();
      expect(rabbit.runningPid()).not.toBe(broker);
    } catch (error) {
      // Bring the broker back, and let the publisher finish, before failing.
      await rabbit.start();
      await publishing;
      throw error;
    }
    await waitFor('the bridge to reconnect', () => (bridge.process.logSince(offset).includes('"connected to RabbitMQ"') ? true : undefined), 60_000, 250);
    const reconnectedAt = Date.now();
    expect(bridge.process.pid()).toBeDefined();

    const published = await publishing;
    const publishedAt = Date.now();
    expect(published.status).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ published: ids.length, confirmed: ids.length, notConfirmed: 0 });
    const rows = await waitFor(
      'every confirmed message in the table',
      async () => {
        const found = await landed();
        return found.length >= ids.length ? found : undefined;
      },
      300_000,
      1000,
    );
    const recoveredAt = Date.now();
    expect(rows).toHaveLength(ids.length);
    expect(new Set(rows)).toEqual(new Set(ids));
    expect((await api('GET', '/health')).status).toBe(200);

    await recordFaultFigures({
      fault: "RabbitMQ's broker (beam.smp) killed with SIGKILL during a stream at 500 msg/s, then started again",
      downtimeSeconds: Math.round((servingAt - killedAt) / 1000),
      messages: ids.length,
      inFlightAtFault: publishedAtKill - landedAtKill,
      lost: ids.length - new Set(rows).size,
      duplicated: rows.length - new Set(rows).size,
      recoverSeconds: Math.round((reconnectedAt - servingAt) / 1000),
      notes: `the bridge reconnected ${((reconnectedAt - servingAt) / 1000).toFixed(1)} s after the broker served and consumed again; ingestmessage republished what the broker had not confirmed and ended with 0; the last row landed ${((recoveredAt - publishedAt) / 1000).toFixed(1)} s after the last publish; the platform stayed up`,
    });
  }, 900_000);
});
