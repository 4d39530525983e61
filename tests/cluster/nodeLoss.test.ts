import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { datasetTableName } from '../../layers/platform/src/ingest/apps/genericBatchIngestApp';
import { createSqsClient } from '../../layers/platform/src/storage/awsClients';
import { BridgeProcess } from '../../localstack/BridgeProcess';
import { CassandraCluster } from '../../localstack/services/CassandraCluster';
import type { CassandraService } from '../../localstack/services/CassandraService';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { recordFaultFigures } from '../helpers/faultFigures';
import { liveReadings } from '../helpers/liveReadings';
import { api, config, connectCassandra, login, runCli, topology, waitFor } from '../helpers/testPlatform';

/**
 * The platform on a three-node cluster at replication 3, nodes killed
 * (SIGKILL, as in a crash) while a file is being written in chunks and a
 * stream runs at 500 msg/s, brought back 60 s later. One node down: a quorum
 * (two of three) still answers, so nothing may wait: no 503. Two down: the
 * quorum is lost, and it is waited out like any outage (503 with Retry-After,
 * never 500). Either way no dead letter, no row lost or written twice, every
 * row counted at consistency ALL once the nodes are back, no operator step.
 * Run through `MYSIMBDP_CASSANDRA_NODES=3 npm test -- --selectProjects cluster`.
 */
const run = randomUUID().slice(0, 8);
const DAY = '2026-11-03';
const DAY_START = Date.UTC(2026, 10, 3);
const DEVICES = 10;
const RATE = 500;
const STREAM_SECONDS = 90;
const DOWN_MS = 60_000;
const FILE_TENANT = 'nodeloss';
const FILE_PASSWORD = 'nodeloss-password-123';
/** About 3.4 MB: more than 40 chunks of the test stage's 64 KiB. */
const FILE_ROWS = 150_000;
const ALL = { consistency: cassandra.types.consistencies.all, fetchSize: 100_000 };
const cluster = new CassandraCluster();
/** The file's seconds under the same load without a fault, once measured. */
let baselineFileSeconds: number | undefined;
const sqs = createSqsClient(config);

describe('nodes of a three-node cluster killed while a file is written in chunks and a stream runs at 500 msg/s', () => {
  let client: cassandra.Client;
  let folder: string;
  const bridge = new BridgeProcess('test', 'bridge-test-cluster', { MYSIMBDP_BRIDGE_DISCOVERY_MS: '1000' });

  async function deadLetters(): Promise<number> {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: topology.streamQueue('zoo').deadLetterName }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
  }

  /** The stream's rows, read at ALL: every replica answers, so a row one of them missed is found (and repaired). */
  async function landedAtAll(prefix: string): Promise<string[]> {
    const ids: string[] = [];
    for (let device = 0; device < DEVICES; device += 1) {
      const result = await client.execute(
        'SELECT message_id FROM test_tenant_zoo.live_readings WHERE dev_id = ? AND day = ?',
        [`${prefix}-d${device}`, DAY],
        ALL,
      );
      ids.push(...result.rows.map((row) => row.get('message_id') as string));
    }
    return ids;
  }

  /** The chunks of one file of the file tenant: how many, and how many are written. */
  const fileChunks = async (fileName: string): Promise<{ chunks: number; written: number }> => {
    const records = await client.execute('SELECT ingestion_id FROM test_mysimbdp.ingestions WHERE tenant = ? AND file_name = ? ALLOW FILTERING', [
      FILE_TENANT,
      fileName,
    ]);
    const ingestion = records.first()?.get('ingestion_id') as string | undefined;
    if (!ingestion) return { chunks: 0, written: 0 };
    const rows = (
      await client.execute('SELECT written_at FROM test_mysimbdp.ingestion_chunks WHERE tenant = ? AND ingestion_id = ? ALLOW FILTERING', [
        FILE_TENANT,
        ingestion,
      ])
    ).rows;
    return { chunks: rows.length, written: rows.filter((row) => row.get('written_at')).length };
  };

  beforeAll(async () => {
    if (config.cassandra.contactPoints.length !== 3)
      throw new Error('the cluster tests run on three nodes: MYSIMBDP_CASSANDRA_NODES=3 npm test -- --selectProjects cluster');
    client = await connectCassandra();
    folder = await mkdtemp(join(tmpdir(), 'cluster-node-loss-'));
    await addTenant(await tenantsFolder(), FILE_TENANT, FILE_PASSWORD, ['--formats', 'csv', '--max-file-size', '8 MiB']);
    await waitFor('the file tenant to log in', async () =>
      (await api('POST', '/auth/login', { tenant: FILE_TENANT, password: FILE_PASSWORD })).status === 200 ? true : undefined,
    );
    await bridge.start();
  });

  afterAll(async () => {
    // Whatever happened, every node serves again before the next test.
    await cluster.start(() => undefined);
    await bridge.stop();
    await client?.shutdown();
  });

  /**
   * A file of FILE_ROWS rows written in chunks and a stream at RATE msg/s, while `victims` are killed and brought back
   * 60 s later (none: the same load without a fault, for the file's time to compare); the API is asked every half
   * second meanwhile. Checks every row once at ALL, no dead letter, the file ingested, fetchdata and ingestmessage
   * exit 0; returns the API's answers while the nodes were down.
   */
  async function killedUnderLoad(name: string, victims: readonly CassandraService[]): Promise<Record<number, number>> {
    const dead = await deadLetters();
    const token = await login('zoo');
    const prefix = `${name}-${run}`;
    const stream = liveReadings(prefix, RATE * STREAM_SECONDS, DAY_START, DEVICES);
    const streamFile = join(folder, `${name}.ndjson`);
    await writeFile(streamFile, stream.text);
    const publishing = runCli(
      'clients/ingestmessage.ts',
      [
        '--tenant',
        'zoo',
        '--file',
        streamFile,
        '--id-field',
        'msg_id',
        '--json',
        '--patience',
        '900',
        '--amqp',
        `${config.amqp.url}/${config.amqp.vhost}`,
        '--rate',
        String(RATE),
      ],
      { MYSIMBDP_AMQP_PASSWORD: DEMO.zoo.amqpSecret },
    );
    const fileDir = await mkdtemp(join(tmpdir(), 'cluster-file-'));
    const fileName = `${name}.csv`;
    const table = datasetTableName(fileName);
    await writeFile(
      join(fileDir, fileName),
      `${['id,note,amount', ...Array.from({ length: FILE_ROWS }, (_, n) => `${n + 1},note ${n + 1},${n * 2}`)].join('\n')}\n`,
    );
    const fetching = runCli(
      'clients/fetchdata.ts',
      ['--api', process.env.MYSIMBDP_API_URL as string, '--tenant', FILE_TENANT, '--dir', fileDir, '--json', '--patience', '900', '--timeout', '1200'],
      { MYSIMBDP_PASSWORD: FILE_PASSWORD },
    );
    const atKill = await waitFor(
      `the chunks of ${fileName} being written`,
      async () => {
        const now = await fileChunks(fileName);
        return now.written >= 2 && now.written < now.chunks - 5 ? now : undefined;
      },
      300_000,
      50,
    );
    expect(atKill.chunks).toBeGreaterThanOrEqual(40);

    await Promise.all(victims.map((node) => node.kill()));
    const killedAt = Date.now();
    const answers = new Map<number, number>();
    try {
      while (victims.length > 0 && Date.now() - killedAt < DOWN_MS) {
        for (const reply of [
          await api('GET', '/tenants/zoo/profile', undefined, token),
          await api('POST', '/auth/login', { tenant: 'zoo', password: DEMO.zoo.password }),
        ]) {
          answers.set(reply.status, (answers.get(reply.status) ?? 0) + 1);
          if (reply.status === 503) expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
        }
        // Paced: two requests about every half second, as a busy client sends them.
        await sleep(500);
      }
    } finally {
      await Promise.all(victims.map((node) => node.start()));
    }
    const backAt = Date.now();

    const published = await publishing;
    // The status with the last of what the command said, so that a failure shows why.
    expect({ status: published.status, said: published.stderr.slice(-1500) }).toEqual({ status: 0, said: expect.any(String) as string });
    expect(JSON.parse(published.stdout)).toMatchObject({ published: stream.ids.length, confirmed: stream.ids.length, notConfirmed: 0 });
    const rows = await waitFor(
      'every message at ALL',
      async () => {
        const ids = await landedAtAll(prefix);
        return ids.length >= stream.ids.length ? ids : undefined;
      },
      600_000,
      2000,
    );
    expect(rows).toHaveLength(stream.ids.length);
    expect(new Set(rows)).toEqual(new Set(stream.ids));
    expect(await deadLetters()).toBe(dead);

    const fetched = await fetching;
    const fileDoneAt = Date.now();
    expect({ status: fetched.status, said: `${fetched.stderr.slice(-1500)}${fetched.stdout.slice(-1500)}` }).toEqual({
      status: 0,
      said: expect.any(String) as string,
    });
    expect((JSON.parse(fetched.stdout) as { files: unknown }).files).toEqual([
      expect.objectContaining({ file: fileName, status: 'ingested', rows: FILE_ROWS }),
    ]);
    let fileRows = 0;
    for (let part = 0; part <= FILE_ROWS / 10_000 + 1; part += 1) {
      const counted = await client.execute(
        `SELECT COUNT(*) FROM test_tenant_${FILE_TENANT}.${table} WHERE ingest_file = ? AND ingest_part = ?`,
        [fileName, part],
        ALL,
      );
      fileRows += Number(counted.first()?.get(0));
    }
    expect(fileRows).toBe(FILE_ROWS);

    const seen = Object.fromEntries(answers) as Record<number, number>;
    const fileSeconds = Number((JSON.parse(fetched.stdout) as { files: Array<{ seconds?: number }> }).files[0]?.seconds);
    if (victims.length === 0) {
      baselineFileSeconds = fileSeconds;
      return seen;
    }
    await recordFaultFigures({
      fault: `${victims.length === 1 ? 'One Cassandra node' : `${victims.length} Cassandra nodes`} of three killed (SIGKILL) for 60 s at replication 3, while a file was written in chunks and a stream ran at ${RATE} msg/s (\`tests/cluster/nodeLoss.test.ts\`)`,
      downtimeSeconds: Math.round((backAt - killedAt) / 1000),
      messages: FILE_ROWS + stream.ids.length,
      inFlightAtFault: Math.round((FILE_ROWS * (atKill.chunks - atKill.written)) / atKill.chunks),
      lost: FILE_ROWS - fileRows + (stream.ids.length - new Set(rows).size),
      duplicated: rows.length - new Set(rows).size,
      recoverSeconds: Math.max(0, Math.round((fileDoneAt - backAt) / 1000)),
      notes: `${atKill.chunks}-chunk file (${atKill.written} written at the kill) and ${stream.ids.length} messages, counted at ALL; the file took ${fileSeconds.toFixed(0)} s (${baselineFileSeconds?.toFixed(0) ?? '?'} s with the same load and no fault); API answers while down: ${JSON.stringify(seen)}; 0 dead letters; fetchdata and ingestmessage exit 0`,
    });
    return seen;
  }

  it('without a fault, the same load lands every row once at ALL (the time the fault cases are compared with)', async () => {
    expect(await killedUnderLoad('no-fault', [])).toEqual({});
  }, 1_500_000);

  it('one node down is no outage: every request answered, every row once at ALL, nothing dead-lettered', async () => {
    const keyspaces = await client.execute(
      "SELECT keyspace_name, replication FROM system_schema.keyspaces WHERE keyspace_name IN ('test_mysimbdp', 'system_auth')",
    );
    expect(keyspaces.rows).toHaveLength(2);
    for (const row of keyspaces.rows) expect(Object.fromEntries(row.get('replication') as Map<string, string>)).toMatchObject({ datacenter1: '3' });
    const answers = await killedUnderLoad('one-down', [cluster.node(2)]);
    expect(answers).toEqual({ 200: expect.any(Number) as number });
  }, 1_500_000);

  it('two nodes down (quorum lost) is waited out: 503 with Retry-After, never 500, then every row once at ALL with no operator step', async () => {
    const answers = await killedUnderLoad('two-down', [cluster.node(2), cluster.node(3)]);
    expect(answers[503]).toBeGreaterThan(0);
    expect(Object.keys(answers).filter((status) => status !== '200' && status !== '503')).toEqual([]);
  }, 1_500_000);
});
