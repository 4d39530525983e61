// `npm run bench:batch`: one CSV of turtle-tracker readings (1 million rows,
// about 100 MB; BENCH_ROWS to change) loaded into the same table shape of the
// same Cassandra node, in the same run, by
//   - mysimbdp: presigned POST -> S3 event -> SQS -> batch-ingest function -> Cassandra,
//     the function in its own process as on Lambda, so its peak RSS is its own;
//   - DataStax Bulk Loader (dsbulk), assembled from Maven Central;
//   - cqlsh COPY FROM (cqlsh from PyPI).
// Each load is checked row by row count. Appends the results to BENCHMARKS.md.
import type cassandra from 'cassandra-driver';
import { join } from 'node:path';
import { createCassandraClient } from '../layers/platform/src/cassandra/createCassandraClient';
import { provisionPlatform } from '../layers/platform/src/provisioning/provisionPlatform';
import { RabbitMqAdmin } from '../layers/platform/src/provisioning/RabbitMqAdmin';
import { createS3Client, createSqsClient } from '../layers/platform/src/storage/awsClients';
import { parseTenantFiles } from '../layers/platform/src/tenants/parseTenantFiles';
import { TenantDirectory } from '../layers/platform/src/tenants/TenantDirectory';
import type { TenantProfileInput } from '../layers/platform/src/tenants/TenantProfile';
import { BATCH_INGEST_NODE_OPTIONS, Topology } from '../layers/platform/src/topology/Topology';
import { formatByteSize } from '../layers/platform/src/units/byteSize';
import { ApiClient } from '../clients/ApiClient';
import { postMultipart } from '../clients/postMultipart';
import { LocalCloud } from '../localstack/LocalCloud';
import { localEnvironment, useLocalStage } from '../localstack/localEnvironment';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { localCloudDir, repoRoot } from '../localstack/paths';
import { resetLocalStage } from '../localstack/resetLocalStage';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { generateReadings, partitionsOf, READINGS_COLUMNS } from './generateReadings';
import { describeMachine, today } from './machine';
import { Cqlsh } from './peers/Cqlsh';
import { Dsbulk } from './peers/Dsbulk';
import { SqsSandboxInvoker } from './SqsSandboxInvoker';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const KEYSPACE = 'bench_tenant_zoo';
const TABLE = 'sensor_readings';
const say = (message: string): void => console.log(`[bench:batch] ${message}`);

interface Run {
  loader: string;
  seconds: number;
  rows: number;
  peakRssBytes: number;
  note: string;
}

/** Rows in the table, summed over the partitions the file fills (no full-table scan). */
async function countRows(client: cassandra.Client, partitions: Map<string, number>): Promise<number> {
  let total = 0;
  for (const key of partitions.keys()) {
    const [dev, day] = key.split('|') as [string, string];
    total += Number((await client.execute(`SELECT COUNT(*) FROM ${KEYSPACE}.${TABLE} WHERE dev_id = ? AND day = ?`, [dev, day])).first()?.get(0) ?? 0);
  }
  return total;
}

const cloud = new LocalCloud();
const started = await cloud.start(say);
const config = useLocalStage('bench');
await resetLocalStage('bench');
const client = createCassandraClient(config, { readTimeoutMs: 120_000 });
await client.connect();
const offline = new ServerlessOffline('bench', { MYSIMBDP_OFFLINE_BATCH_INGEST: 'off', POWERTOOLS_LOG_LEVEL: 'WARN' });
const runs: Run[] = [];
let fileBytes = 0;
let phases = '';
try {
  // The tenants as in tenants/, the zoo allowed files of any size for the benchmark (in the bench stage only).
  const definitions = (await new TenantDirectory(join(repoRoot, 'tenants')).definitions()).map((definition) => {
    if (definition.tenant.id !== 'zoo') return definition;
    const profileInput: TenantProfileInput = { ...definition.profileInput, batch: { ...definition.profileInput.batch, maxFileSize: '4 GiB', maxBadRows: 0 } };
    return { tenant: parseTenantFiles('zoo', JSON.stringify(profileInput), JSON.stringify(definition.tenant.credentials), 'bench'), profileInput };
  });
  await provisionPlatform(config, definitions, {
    cassandra: client,
    aws: { s3: createS3Client(config), sqs: createSqsClient(config) },
    rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
  });

  const { path, bytes } = await generateReadings(join(localCloudDir, 'bench', `readings-${ROWS}.csv`), ROWS);
  fileBytes = bytes;
  const partitions = partitionsOf(ROWS);
  say(`${ROWS} rows, ${formatByteSize(bytes)}, ${partitions.size} partitions: ${path}`);
  const peers = { dsbulk: new Dsbulk(), cqlsh: new Cqlsh() };
  if (process.env.BENCH_PEERS !== 'none') {
    await peers.dsbulk.install(say);
    await peers.cqlsh.install(say);
  }
  await offline.start();

  // mysimbdp, end to end.
  say('mysimbdp: presigned upload, S3 event, batch-ingest function, Cassandra');
  const begin = performance.now();
  const api = new ApiClient(offline.apiUrl);
  await api.login('zoo', process.env.MYSIMBDP_PASSWORD ?? 'zoo-demo-password');
  const grant = await api.grantUpload('readings.csv', bytes);
  const upload = await postMultipart(grant.upload.url, grant.upload.fields, path, () => undefined);
  if (upload.status >= 300) throw new Error(`upload refused: ${upload.body}`);
  const uploadSeconds = (performance.now() - begin) / 1000;
  const invoker = new SqsSandboxInvoker(
    createSqsClient(config),
    new Topology(config).batchIngestQueue.name,
    join(repoRoot, '.esbuild', 'bench', '.build', 'functions', 'batchIngest.mjs'),
    {
      ...localEnvironment('bench'),
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // The function's environment as deployed.
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? BATCH_INGEST_NODE_OPTIONS,
    },
  );
  // The first message may be S3's test event for the new notification; the run that counts is the upload's.
  const sandbox = await invoker.runUntil(grant.key);
  const endToEnd = (performance.now() - begin) / 1000;
  const [ingestion] = (await api.ingestions(grant.batchId)).ingestions;
  if (ingestion?.status !== 'ingested') throw new Error(`the ingestion ended ${ingestion?.status}: ${ingestion?.reason}`);
  const logged = sandbox.logLines
    .map((line) => JSON.parse(line) as { message?: string; phases?: { validateMs: number; writeMs: number } })
    .find((line) => line.message === 'ingestion');
  phases = logged?.phases
    ? `upload ${uploadSeconds.toFixed(1)} s, then in the function: read and validate ${(logged.phases.validateMs / 1000).toFixed(1)} s, read again and write ${(logged.phases.writeMs / 1000).toFixed(1)} s`
    : '';
  runs.push({
    loader: 'mysimbdp',
    seconds: endToEnd,
    rows: await countRows(client, partitions),
    peakRssBytes: sandbox.maxRssBytes,
    note: `function ${sandbox.seconds.toFixed(1)} s; ${phases}`,
  });
  say(JSON.stringify(runs.at(-1)));

  // The peers, into the same table, emptied first (BENCH_PEERS=none: the platform alone, e.g. for a 1 GB file).
  if (process.env.BENCH_PEERS !== 'none') {
    const loads = [
      { loader: 'dsbulk 1.10.0', note: 'JVM start included', load: () => peers.dsbulk.load({ file: path, keyspace: KEYSPACE, table: TABLE, header: true }) },
      {
        loader: 'cqlsh 6.2.2 COPY FROM',
        note: 'all its processes',
        load: () => peers.cqlsh.load({ file: path, keyspace: KEYSPACE, table: TABLE, columns: READINGS_COLUMNS, header: true }),
      },
    ];
    for (const { loader, note, load } of loads) {
      await client.execute(`TRUNCATE ${KEYSPACE}.${TABLE}`);
      say(loader);
      const result = await load();
      runs.push({
        loader,
        seconds: result.seconds,
        rows: await countRows(client, partitions),
        peakRssBytes: result.peakRssBytes,
        note: `${result.errors} errors; ${note}`,
      });
      say(JSON.stringify(runs.at(-1)));
    }
  }
} finally {
  await offline.stop();
  await client.shutdown();
  await cloud.stop(started);
}

const platform = runs[0] as Run;
const dsbulkRun = runs.find((run) => run.loader.startsWith('dsbulk'));
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
const mb = fileBytes / 1e6;
const rows = runs.map((run) => [
  run.loader,
  run.rows === ROWS ? `${run.rows} ✓` : `${run.rows} ✗ (expected ${ROWS})`,
  run.seconds.toFixed(1),
  Math.round(ROWS / run.seconds),
  (mb / run.seconds).toFixed(1),
  formatByteSize(run.peakRssBytes),
  run === platform ? '1.00' : (run.seconds / platform.seconds).toFixed(2),
  run.note,
]);
await appendBenchmark(`## Batch ingestion, ${today()}

Machine: ${describeMachine()}.

One CSV, ${ROWS} rows (${mb.toFixed(0)} MB, \`bench/generateReadings.ts\`), into \`${KEYSPACE}.${TABLE}\` (the zoo app's table), emptied between loaders; every load counted back partition by partition.
mysimbdp is timed end to end (upload, S3 event, SQS, batch-ingest function, Cassandra); its peak RSS is the function's process, run as Lambda runs it (\`bench/lambdaSandbox.mjs\`). The peers' peak RSS is their process tree's, sampled from /proc.

${markdownTable(['loader', 'rows loaded', 'seconds', 'rows/s', 'MB/s', 'peak RSS', 'mysimbdp speed-up (peer s / mysimbdp s)', 'notes'], rows)}

Targets: at least dsbulk's rows/s: ${verdict(dsbulkRun !== undefined && platform.seconds <= dsbulkRun.seconds)} (${dsbulkRun ? `${(dsbulkRun.seconds / platform.seconds).toFixed(2)} × dsbulk` : 'dsbulk did not run'}); the ingest process's peak RSS under 256 MB: ${verdict(platform.peakRssBytes < 256 * 2 ** 20)} (${formatByteSize(platform.peakRssBytes)}).
`);
say('appended to BENCHMARKS.md');
process.exit(0);
