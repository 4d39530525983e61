import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { CassandraService } from '../../localstack/services/CassandraService';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { recordFaultFigures } from '../helpers/faultFigures';
import { landedReadings, liveReadings } from '../helpers/liveReadings';
import { api, config, connectCassandra, login, runCli, topology, waitFor } from '../helpers/testPlatform';

/**
 * Cassandra, shared by everyone on this machine, stopped for 60 s while a
 * stream runs at 500 msg/s, while a large file is being written in chunks,
 * and while a tenant sends messages over HTTP and fetchdata uploads a file.
 * Run only through the test lock (`npm test`); it always starts Cassandra again.
 */
const run = randomUUID().slice(0, 8);
const DAY = '2026-11-02';
const DAY_START = Date.UTC(2026, 10, 2);
const DEVICES = 10;
const RATE = 500;
const STREAM_SECONDS = 110;
const OUTAGE_MS = 60_000;
const cassandraService = new CassandraService();
/** The large file: rows of a generic tenant's CSV, cut into chunks (the test stage's chunk size is 64 KiB). */
const FILE_TENANT = 'outage';
const FILE_PASSWORD = 'outage-password-123';
const FILE_ROWS = 150_000;
const sqs = createSqsClient(config);

describe('Cassandra stopped for 60 s during a stream at 500 msg/s and while a file is being written', () => {
  let client: cassandra.Client;
  let folder: string;
  const bridge = new BridgeProcess('test', 'bridge-test-faults', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  const landed = (prefix: string): Promise<string[]> => landedReadings(client, prefix, DAY, DEVICES);

  async function deadLetters(): Promise<number> {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: topology.streamQueue('zoo').deadLetterName }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  }

  const ingestmessage = (args: string[], text: string, env: Record<string, string>) =>
    (async () => {
      const file = join(folder, `${randomUUID()}.ndjson`);
      await writeFile(file, text);
      return runCli('clients/ingestmessage.ts', ['--tenant', 'zoo', '--file', file, '--id-field', 'msg_id', '--json', '--patience', '600', ...args], env);
    })();

  beforeAll(async () => {
    client = await connectCassandra();
    folder = await mkdtemp(join(tmpdir(), 'fault-cassandra-'));
    await addTenant(await tenantsFolder(), FILE_TENANT, FILE_PASSWORD, ['--formats', 'csv', '--max-file-size', '8 MiB']);
    await waitFor('the file tenant to log in', async () =>
      (await api('POST', '/auth/login', { tenant: FILE_TENANT, password: FILE_PASSWORD })).status === 200 ? true : undefined,
    );
    await bridge.start();
  });

  /** The large file's chunks: how many, and how many are written. */
  const fileChunks = async (): Promise<{ chunks: number; written: number }> => {
    const rows = (await client.execute('SELECT written_at FROM test_mysimbdp.ingestion_chunks WHERE tenant = ? ALLOW FILTERING', [FILE_TENANT])).rows;
    return { chunks: rows.length, written: rows.filter((row) => row.get('written_at')).length };
  };

  afterAll(async () => {
    // Whatever happened, Cassandra serves again before the next test runs.
    await cassandraService.start();
    await bridge.stop();
    await client.shutdown();
  });

  it('lands every confirmed message exactly once, dead-letters nothing, answers 503 meanwhile, and fetchdata and ingestmessage --api end with 0', async () => {
    const dead = await deadLetters();
    const token = await login('zoo');
    const stream = liveReadings(`amqp-${run}`, RATE * STREAM_SECONDS, DAY_START, DEVICES);
    const overHttp = liveReadings(`http-${run}`, 1000, DAY_START, DEVICES);
    const started = Date.now();
    const publishing = ingestmessage(['--amqp', `${config.amqp.url}/${config.amqp.vhost}`, '--rate', String(RATE)], stream.text, {
      MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret,
    });
    await waitFor('the stream to flow', async () => ((await landed(`amqp-${run}`)).length >= 5000 ? true : undefined), 120_000, 500);
    // A large file, followed by fetchdata: the outage begins while its chunks are being written.
    const fileDir = await mkdtemp(join(tmpdir(), 'fault-batch-'));
    await writeFile(
      join(fileDir, 'outage.csv'),
      `${['id,note,amount', ...Array.from({ length: FILE_ROWS }, (_, n) => `${n + 1},note ${n + 1},${n * 2}`)].join('\n')}\n`,
    );
    const fetchingFile = runCli(
      'clients/fetchdata.ts',
      ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', FILE_TENANT, '--dir', fileDir, '--json', '--patience', '600', '--timeout', '900'],
      { MYSIMBDP_PASSWORD: FILE_PASSWORD },
    );
    const fileAtStop = await waitFor(
      "the file's chunks being written",
      async () => {
        const now = await fileChunks();
        return now.written >= 3 && now.written < now.chunks - 5 ? now : undefined;
      },
      240_000,
      50,
    );

    // The outage.
    const stoppedAt = Date.now();
    const landedAtStop = (await landed(`amqp-${run}`)).length;
    const publishedAtStop = Math.min(stream.ids.length, Math.round(((stoppedAt - started) / 1000) * RATE));
    try {
      await cassandraService.stop();
      const stopped = Date.now();
      // Every route that needs Cassandra answers 503 with Retry-After, never 500.
      const unavailable = await waitFor(
        'the API to answer 503',
        async () => {
          const reply = await api('GET', '/tenants/zoo/profile', undefined, token);
          return reply.status === 200 ? undefined : reply;
        },
        30_000,
        500,
      );
      expect(unavailable.status).toBe(503);
      expect(Number(unavailable.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(unavailable.body).toMatchObject({ error: 'SERVICE_UNAVAILABLE', service: 'cassandra' });
      const loginDuring = await api('POST', '/auth/login', { tenant: 'zoo', password: DEMO.zoo.password });
      expect(loginDuring.status).toBe(503);

      // Started during the outage: they wait it out.
      const dir = await mkdtemp(join(tmpdir(), 'fault-fetchdata-'));
      await copyFile('clients/demo-input/zoo/turtles-2018-10-02.ndjson', join(dir, 'turtles-2018-10-02.ndjson'));
      const fileRows = (await readFile(join(dir, 'turtles-2018-10-02.ndjson'), 'utf8')).trim().split('\n').length;
      const fetching = runCli(
        'clients/fetchdata.ts',
        ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', 'zoo', '--dir', dir, '--json', '--patience', '600', '--timeout', '600'],
        { MYSIMBDP_PASSWORD: DEMO.zoo.password },
      );
      const sendingHttp = ingestmessage(['--api', process.env.MYSIMBDP_API_URL as string, '--rate', '20'], overHttp.text, {
        MYSIMBDP_PASSWORD: DEMO.zoo.password,
      });

      await waitFor('60 s of outage', () => (Date.now() - stopped >= OUTAGE_MS ? true : undefined), OUTAGE_MS + 10_000, 1000);
      await cassandraService.start();
      const servingAt = Date.now();
      // The platform's Cassandra clients are back within seconds of the node, not after the driver's default backoff (the first reads are slow while the stream's backlog is written).
      await waitFor(
        'the API to serve again',
        async () => ((await api('GET', '/tenants/zoo/profile', undefined, token)).status === 200 ? true : undefined),
        30_000,
        250,
      );
      const apiBackSeconds = (Date.now() - servingAt) / 1000;
      expect(apiBackSeconds).toBeLessThan(20);

      const published = await publishing;
      expect(published.status).toBe(0);
      expect(JSON.parse(published.stdout)).toMatchObject({ published: stream.ids.length, confirmed: stream.ids.length, notConfirmed: 0 });
      const rows = await waitFor(
        'every confirmed message in the table',
        async () => {
          const ids = await landed(`amqp-${run}`);
          return ids.length >= stream.ids.length ? ids : undefined;
        },
        600_000,
        2000,
      );
      const recoveredAt = Date.now();
      expect(rows).toHaveLength(stream.ids.length);
      expect(new Set(rows)).toEqual(new Set(stream.ids));
      // The outage used up no message's tries: nothing was dead-lettered.
      expect(await deadLetters()).toBe(dead);

      const fetched = await fetching;
      expect(fetched.status).toBe(0);
      expect((JSON.parse(fetched.stdout) as { files: unknown }).files).toEqual([expect.objectContaining({ status: 'ingested', rows: fileRows })]);
      const sent = await sendingHttp;
      expect(sent.status).toBe(0);
      expect(JSON.parse(sent.stdout)).toMatchObject({ via: 'http', published: 1000, confirmed: 1000 });
      const httpRows = await waitFor(
        'the messages sent over HTTP',
        async () => {
          const ids = await landed(`http-${run}`);
          return ids.length >= 1000 ? ids : undefined;
        },
        120_000,
        1000,
      );
      expect(new Set(httpRows)).toEqual(new Set(overHttp.ids));

      // The file ends ingested with no operator step, every row once.
      const fetchedFile = await fetchingFile;
      const fileRecoveredAt = Date.now();
      expect(fetchedFile.status).toBe(0);
      const fileSummary = JSON.parse(fetchedFile.stdout) as { files: Array<Record<string, unknown>> };
      expect(fileSummary.files).toEqual([expect.objectContaining({ file: 'outage.csv', status: 'ingested', rows: FILE_ROWS })]);
      let bigFileRows = 0;
      for (let part = 0; part <= FILE_ROWS / 10_000 + 1; part += 1) {
        bigFileRows += Number(
          (await client.execute(`SELECT COUNT(*) FROM test_tenant_${FILE_TENANT}.outage WHERE ingest_file = ? AND ingest_part = ?`, ['outage.csv', part]))
            .first()
            ?.get(0),
        );
      }
      // Rows are keyed by (file, line): a row written twice would still count once, so the count says no row was lost.
      expect(bigFileRows).toBe(FILE_ROWS);
      await recordFaultFigures({
        fault: 'Cassandra stopped for 60 s while a file was being written in chunks, fetchdata following it (`faultCassandra.test.ts`)',
        downtimeSeconds: Math.round((servingAt - stoppedAt) / 1000),
        messages: FILE_ROWS,
        inFlightAtFault: Math.round((FILE_ROWS * (fileAtStop.chunks - fileAtStop.written)) / fileAtStop.chunks),
        lost: FILE_ROWS - bigFileRows,
        duplicated: 0,
        recoverSeconds: Math.round((fileRecoveredAt - servingAt) / 1000),
        notes: `rows of a ${fileAtStop.chunks}-chunk file, ${fileAtStop.written} chunks written before the outage; ingested with no operator step, fetchdata exit 0`,
      });

      await recordFaultFigures({
        fault: 'Cassandra stopped for 60 s during a stream at 500 msg/s (plus fetchdata and ingestmessage --api started during the outage)',
        downtimeSeconds: Math.round((servingAt - stoppedAt) / 1000),
        messages: stream.ids.length + overHttp.ids.length,
        inFlightAtFault: publishedAtStop - landedAtStop,
        lost: stream.ids.length - new Set(rows).size,
        duplicated: rows.length - new Set(rows).size,
        recoverSeconds: Math.round((recoveredAt - servingAt) / 1000),
        notes: `every message of ${stream.ids.length} over AMQP and ${overHttp.ids.length} over HTTP landed once; 0 dead-lettered; API 503 with Retry-After during the outage, 200 again ${apiBackSeconds.toFixed(1)} s after Cassandra served; fetchdata exit 0`,
      });
    } finally {
      await cassandraService.start();
    }
  }, 1_200_000);
});
