// `npm run bench:batch`: CSVs of turtle-tracker readings (1 and 3 million rows,
// about 100 and 280 MB; BENCH_ROWS to change) loaded into the same table of the
// same Cassandra node, in the same run, by
//   - the node's own write ceiling: the fastest raw cassandra-driver writer of
//     the same rows, made in memory beforehand (bench/ceilingWriter.ts);
//   - mysimbdp: presigned POST -> S3 event -> SQS -> batch-ingest function, which
//     cuts the file into chunks -> chunk queue -> batch-chunk function (validate
//     every chunk, then write every chunk) -> Cassandra, at BENCH_PARALLELISM
//     concurrent chunk invocations (default 1, 2 and 4), each function in its own
//     process as on Lambda (bench/SqsEventSource.ts), so its peak RSS is its own;
//   - DataStax Bulk Loader (dsbulk), assembled from Maven Central;
//   - cqlsh COPY FROM (cqlsh from PyPI);
// each peer with its defaults, then at the settings of its tuned grid (bench/peers/dsbulkGrid.ts and cqlshGrid.ts;
// dsbulk also reads the file cut into parts, in parallel); mysimbdp is compared with each peer's best run, its
// defaults or tuned. Each load is checked by counting the rows back. Appends the results to BENCHMARKS.md.
// BENCH_FORMATS (default csv): the formats the platform loads the same rows in, of csv, csv.gz, csv.zst,
// parquet (bench/encodeReadings.ts); with csv.gz, dsbulk loads the gzip file too. BENCH_PEERS=none: no dsbulk and cqlsh;
// BENCH_TUNED=none: the peers at their defaults only; BENCH_TUNED_GRID: full (every tuned setting, the default up to
// 1M rows) or best (each peer's best known setting, the default above); BENCH_CEILING=none: no ceiling (e.g. a 2 GiB file, the platform
// alone); BENCH_CHUNK_SIZE: the chunk size; BENCH_PLAN_RANGE_CHUNKS: the chunks in a range a large file is planned in (several, comma-separated: a platform run for each). On a cluster (MYSIMBDP_CASSANDRA_NODES=3) every loader writes three
// copies at LOCAL_QUORUM, as the platform does; BENCH_RESULTS names a JSON file the runs are also written to.
// `npm run bench:replication` runs it on one node, then on three, and compares.
import type cassandra from 'cassandra-driver';
import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type IngestionView } from '../clients/ApiClient';
import { postMultipart } from '../clients/postMultipart';
import {
  BATCH_INGEST_NODE_OPTIONS,
  createCassandraClient,
  createS3Client,
  createSqsClient,
  decodeChunkTask,
  DEFAULT_CHUNK_SIZE,
  DEFAULT_PLAN_RANGE_CHUNKS,
  formatByteSize,
  parseByteSize,
  parseTenantFiles,
  provisionPlatform,
  RabbitMqAdmin,
  FILE_FORMATS,
  TenantDirectory,
  Topology,
  type FileFormat,
  type TenantProfileInput,
} from '../layers/platform/src';
import { encodeReadings } from './encodeReadings';
import { LocalCloud } from '../localstack/LocalCloud';
import { localEnvironment, useLocalStage } from '../localstack/localEnvironment';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { localCloudDir, repoRoot } from '../localstack/paths';
import { resetLocalStage } from '../localstack/resetLocalStage';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { generateReadings, partitionsOf, READINGS_COLUMNS } from './generateReadings';
import { cpuFloorSeconds, withinFloor } from './cpuFloor';
import { describeMachine, today } from './machine';
import { Cqlsh } from './peers/Cqlsh';
import { bestRun, describeBest } from './peers/bestRun';
import { CQLSH_GRID, cqlshCopyOptions, describeCqlshSetting } from './peers/cqlshGrid';
import { Dsbulk, DSBULK_VERSION } from './peers/Dsbulk';
import { describeDsbulkSetting, DSBULK_GRID, dsbulkSettingArgs } from './peers/dsbulkGrid';
import { measureProcess, treeCpuSeconds } from './peers/measureProcess';
import { splitCsv, type CsvParts } from './peers/splitCsv';
import { settingsToRun, tunedGridFor } from './peers/tunedGrid';
import { SqsEventSource } from './SqsEventSource';

const ROWS = (process.env.BENCH_ROWS ?? '1000000,3000000').split(',').map(Number);
const PARALLELISM = (process.env.BENCH_PARALLELISM ?? '1,2,4').split(',').map(Number);
const CHUNK_SIZE = process.env.BENCH_CHUNK_SIZE ?? DEFAULT_CHUNK_SIZE;
/** Chunks in a range a large file is planned in (the platform's default unless given); several: a platform run for each. */
const PLAN_RANGE_CHUNKS = (process.env.BENCH_PLAN_RANGE_CHUNKS ?? String(DEFAULT_PLAN_RANGE_CHUNKS)).split(',').map(Number);
const PEERS = process.env.BENCH_PEERS !== 'none';
const FORMATS = (process.env.BENCH_FORMATS ?? 'csv').split(',') as FileFormat[];
const CEILING = process.env.BENCH_CEILING !== 'none';
/** The platform's runs validate the file and write nothing; its rows are those it validated, not counted back. */
const DRY_RUN = process.env.BENCH_DRY_RUN === '1';
// A mistyped BENCH_TUNED_GRID fails here, before anything starts.
for (const rows of ROWS) tunedGridFor(rows);
const KEYSPACE = 'bench_tenant_zoo';
const TABLE = 'sensor_readings';
const say = (message: string): void => console.log(`[bench:batch] ${message}`);
/** What every loader writes at: the platform's consistency (on one node, one copy either way). */
const CONSISTENCY = 'LOCAL_QUORUM';
/** What the functions log, run by run. */
const FUNCTION_LOG = join(localCloudDir, 'logs', 'bench-functions.log');

export interface Run {
  loader: string;
  /** The peer that loaded the plain CSV file, with its defaults or tuned (what "× best dsbulk" and "× best cqlsh" pick from). */
  peer?: 'dsbulk' | 'cqlsh';
  /** A peer's tuned setting, by name (undefined: its defaults). */
  setting?: string;
  rows: number;
  seconds: number;
  peakRssBytes: number;
  /** CPU time, user and system, of the loader's own processes (not Cassandra's). */
  cpuSeconds: number;
  /** CPU time, user and system, the Cassandra nodes spent while the loader ran (the ceiling: per pass over the rows). */
  nodeCpuSeconds?: number;
  /** mysimbdp: CPU time, user and system, LocalStack (its S3 and SQS) spent while it ran. */
  localStackCpuSeconds?: number;
  /** The bytes it read or was sent: the file in its format. */
  fileBytes: number;
  note: string;
  /** mysimbdp: the longest chunk invocation, and the phases. */
  longestChunkSeconds?: number;
  /** A dry run: the rows are those validated, nothing was written to count back. */
  dryRun?: boolean;
}

/** One peer's load of the file, as the loop below runs it. */
interface PeerLoad {
  loader: string;
  peer?: 'dsbulk' | 'cqlsh';
  setting?: string;
  note: string;
  /** The bytes it reads: the file, its gzip copy, or the parts it was cut into. */
  bytes: number;
  load: () => Promise<{ seconds: number; errors: number; peakRssBytes: number; cpuSeconds: number }>;
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

/** CPU seconds every Cassandra node (its process tree) has used so far: sampled around a load, what the load cost the nodes. */
function nodeCpuSeconds(): number {
  return cloud.cassandra.nodes.reduce((sum, node) => {
    const pid = node.runningPid();
    return sum + (pid ? treeCpuSeconds(pid) : 0);
  }, 0);
}
/** CPU seconds LocalStack (the local S3 and SQS, which on AWS use none of the platform's cores) has used so far. */
function localStackCpuSeconds(): number {
  const pid = cloud.service('localstack').runningPid();
  return pid ? treeCpuSeconds(pid) : 0;
}
const config = useLocalStage('bench');
await resetLocalStage('bench');
const client = createCassandraClient(config, { readTimeoutMs: 120_000 });
await client.connect();
const offline = new ServerlessOffline('bench', { MYSIMBDP_OFFLINE_BATCH_INGEST: 'off', POWERTOOLS_LOG_LEVEL: 'WARN' });
const topology = new Topology(config);
const sqs = createSqsClient(config);
const functionEnv = {
  ...localEnvironment('bench'),
  POWERTOOLS_LOG_LEVEL: 'INFO',
  MYSIMBDP_CHUNK_SIZE: CHUNK_SIZE,
  // The functions' environment as deployed.
  NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? BATCH_INGEST_NODE_OPTIONS,
};
const bundle = (name: string): string => join(repoRoot, '.esbuild', 'bench', '.build', 'functions', `${name}.mjs`);
const sections: string[] = [];
/** Every run, by file. */
const results: Array<{ rows: number; bytes: number; runs: Run[] }> = [];

/** One upload through the platform, its functions run at `parallelism` concurrent chunk invocations. */
async function platformRun(path: string, bytes: number, rows: number, parallelism: number, format: FileFormat, rangeChunks: number): Promise<Run> {
  const api = new ApiClient(offline.apiUrl);
  await api.login('zoo', 'zoo-demo-password');
  const log = (line: string): void => appendFileSync(FUNCTION_LOG, `${line}\n`);
  const env = { ...functionEnv, MYSIMBDP_PLAN_RANGE_CHUNKS: String(rangeChunks) };
  const notifications = new SqsEventSource(sqs, topology.batchIngestQueue.name, bundle('batchIngest'), env, 1, 600, log);
  const chunkTasks = new SqsEventSource(sqs, topology.chunkQueue('zoo').name, bundle('batchChunk'), env, parallelism, 600, log);
  notifications.start();
  chunkTasks.start();
  const begin = performance.now();
  const grant = await api.grantUpload(`readings-${rows}.${format}`, bytes, undefined, DRY_RUN);
  const upload = await postMultipart(grant.upload.url, grant.upload.fields, path, () => undefined);
  if (upload.status >= 300) throw new Error(`upload refused: ${upload.body}`);
  const uploaded = performance.now();
  let record: IngestionView | undefined;
  for (;;) {
    record = (await api.ingestions(grant.batchId)).ingestions.find((view) => view.id === grant.ingestionId);
    if (record && ['ingested', 'validated', 'rejected', 'failed'].includes(record.status)) break;
    await sleep(200);
  }
  const seconds = (performance.now() - begin) / 1000;
  await notifications.stop();
  await chunkTasks.stop();
  if (record.status !== (DRY_RUN ? 'validated' : 'ingested')) throw new Error(`the ingestion ended ${record.status}: ${record.reason}`);
  const byKind = (kind: string) => chunkTasks.invocations.filter((invocation) => decodeChunkTask(invocation.body)?.kind === kind);
  const longest = (list: Array<{ seconds: number }>) => Math.max(0, ...list.map((invocation) => invocation.seconds));
  const sum = (list: Array<{ seconds: number }>) => list.reduce((total, invocation) => total + invocation.seconds, 0);
  /** The function's own CPU time per chunk (mean), and per MiB of the file: what the cost on AWS is figured from. */
  const cpu = (list: Array<{ cpuSeconds: number }>) => {
    const total = list.reduce((sum, invocation) => sum + invocation.cpuSeconds, 0);
    return `${(total / Math.max(1, list.length)).toFixed(1)} s per chunk, ${((total / bytes) * 1024 * 1024).toFixed(3)} s per MiB`;
  };
  const [validates, writes] = [byKind('validate'), byKind('write')];
  // The file's intake and its cutting: the upload's notification handed over, then the file task and its `plan` (or
  // `range`) tasks. (The notifications of what the platform itself puts under tenants/, the chunks' validated rows, the
  // object moved when it is done, are let go of at once, later.)
  const intake = notifications.invocations.filter((invocation) => invocation.body.includes('/incoming/'));
  const cuts = [...intake, ...byKind('file'), ...byKind('plan'), ...byKind('range')];
  // Planned: every chunk fanned out, once the last of those invocations ended.
  const planned = (Math.max(uploaded, ...cuts.map((invocation) => invocation.endedAt)) - uploaded) / 1000;
  const ranges = byKind('range').length;
  const cpuOf = (list: Array<{ cpuSeconds: number }>) => list.reduce((total, invocation) => total + invocation.cpuSeconds, 0);
  const perRow = (list: Array<{ cpuSeconds: number }>) => `${((cpuOf(list) / rows) * 1e6).toFixed(1)} µs a row`;
  return {
    loader: `mysimbdp${format === 'csv' ? '' : ` (${format})`}, ${parallelism} chunk invocation${parallelism === 1 ? '' : 's'} at a time${PLAN_RANGE_CHUNKS.length > 1 ? `, ranges of ${rangeChunks} chunks` : ''}${DRY_RUN ? ', dry run (validated, not written)' : ''}`,
    rows: DRY_RUN ? record.rows : 0,
    dryRun: DRY_RUN,
    fileBytes: bytes,
    seconds,
    peakRssBytes: Math.max(notifications.maxRssBytes, chunkTasks.maxRssBytes),
    cpuSeconds: cpuOf([...notifications.invocations, ...chunkTasks.invocations]),
    longestChunkSeconds: Math.max(longest(validates), longest(writes)),
    note: `${record.chunks?.total ?? 1} chunks of ${CHUNK_SIZE}; upload ${((uploaded - begin) / 1000).toFixed(1)} s; intake and cut ${sum(cuts).toFixed(1)} s (CPU ${perRow(cuts)}), ${ranges ? `in ${ranges} ranges` : 'in one scan'}, planned ${planned.toFixed(1)} s after the upload; validate ${sum(validates).toFixed(0)} s in all (longest ${longest(validates).toFixed(1)} s, CPU ${cpu(validates)}, ${perRow(validates)})${DRY_RUN ? '' : `; write ${sum(writes).toFixed(0)} s in all (longest ${longest(writes).toFixed(1)} s, CPU ${cpu(writes)}, ${perRow(writes)})`}${chunkTasks.invocations.some((invocation) => invocation.failed) ? `; ${chunkTasks.invocations.filter((invocation) => invocation.failed).length} invocations failed and were retried` : ''}`,
  };
}

try {
  // The tenants as in tenants/, the zoo allowed files of any size for the benchmark (in the bench stage only).
  const definitions = (await new TenantDirectory(join(repoRoot, 'tenants')).definitions()).map((definition) => {
    if (definition.tenant.id !== 'zoo') return definition;
    const profileInput: TenantProfileInput = {
      ...definition.profileInput,
      batch: { ...definition.profileInput.batch, maxFileSize: '4 GiB', maxUncompressedSize: '40 GiB', maxBadRows: 0, allowedFormats: [...FILE_FORMATS] },
    };
    return { tenant: parseTenantFiles('zoo', JSON.stringify(profileInput), JSON.stringify(definition.tenant.credentials), 'bench'), profileInput };
  });
  await provisionPlatform(config, definitions, {
    cassandra: client,
    aws: { s3: createS3Client(config), sqs },
    rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
  });
  // The zoo app's table, made as the platform makes it, for every loader.
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLE} (dev_id text, day date, ts timestamp, temperature double, humidity double, pressure double, battery int, acceleration double, acceleration_x double, acceleration_y double, acceleration_z double, PRIMARY KEY ((dev_id, day), ts))`,
  );
  const peers = { dsbulk: new Dsbulk(), cqlsh: new Cqlsh() };
  if (PEERS) {
    await peers.dsbulk.install(say);
    await peers.cqlsh.install(say);
  }
  await offline.start();

  for (const rows of ROWS) {
    const { path, bytes } = await generateReadings(join(localCloudDir, 'bench', `readings-${rows}.csv`), rows);
    const partitions = partitionsOf(rows);
    say(`${rows} rows, ${formatByteSize(bytes)}, ${partitions.size} partitions: ${path}`);
    const runs: Run[] = [];
    const counted = async (run: Run): Promise<void> => {
      if (!run.dryRun) run.rows = await countRows(client, partitions);
      runs.push(run);
      say(JSON.stringify(run));
    };

    if (CEILING) {
      say('the node ceiling: a raw cassandra-driver writer of the same rows, made in memory');
      const ceilingLog = join(localCloudDir, 'logs', 'bench-ceiling.log');
      const nodeCpuBefore = nodeCpuSeconds();
      const ceilingRun = await measureProcess(
        process.execPath,
        ['--max-old-space-size=8192', '--import', 'tsx', 'bench/ceilingWriter.ts', String(rows), KEYSPACE, TABLE],
        {
          cwd: repoRoot,
          env: { ...process.env, ...localEnvironment('bench') },
          logPath: ceilingLog,
        },
      );
      const ceilingOutput = (await import('node:fs')).readFileSync(ceilingLog, 'utf8').trim().split('\n').pop() as string;
      const ceiling = JSON.parse(ceilingOutput) as {
        best: { rowsPerBatch: number; concurrency: number; seconds: number; cpuSeconds: number };
        results: Array<{ rowsPerBatch: number; concurrency: number; rowsPerSecond: number }>;
      };
      if (ceilingRun.exitCode !== 0) throw new Error(`the ceiling writer failed; read ${ceilingLog}`);
      await counted({
        loader: 'node ceiling (raw driver, rows in memory)',
        rows: 0,
        seconds: ceiling.best.seconds,
        peakRssBytes: ceilingRun.peakRssBytes,
        cpuSeconds: ceiling.best.cpuSeconds,
        // The writer writes every row once per setting it tries.
        nodeCpuSeconds: (nodeCpuSeconds() - nodeCpuBefore) / ceiling.results.length,
        fileBytes: 0,
        note: `best of ${ceiling.results.map((result) => `${result.rowsPerBatch} rows a batch × ${result.concurrency} in flight: ${result.rowsPerSecond}/s`).join('; ')}`,
      });
    }

    for (const format of FORMATS) {
      const file = await encodeReadings(path, format);
      if (file.seconds) say(`made ${file.path} (${formatByteSize(file.bytes)}) in ${file.seconds.toFixed(1)} s`);
      for (const parallelism of PARALLELISM) {
        for (const rangeChunks of PLAN_RANGE_CHUNKS) {
          await client.execute(`TRUNCATE ${KEYSPACE}.${TABLE}`);
          say(`mysimbdp, ${format}, at ${parallelism} chunk invocations at a time, ranges of ${rangeChunks} chunks`);
          const nodeCpuBefore = nodeCpuSeconds();
          const localStackBefore = localStackCpuSeconds();
          const run = await platformRun(file.path, file.bytes, rows, parallelism, format, rangeChunks);
          const localStackCpu = localStackCpuSeconds() - localStackBefore;
          const note = `${run.note}; LocalStack's CPU (S3 and SQS, on these cores here, not on AWS) ${((localStackCpu / rows) * 1e6).toFixed(1)} µs a row`;
          await counted({ ...run, note, nodeCpuSeconds: nodeCpuSeconds() - nodeCpuBefore, localStackCpuSeconds: localStackCpu });
        }
      }
    }

    const grid = tunedGridFor(rows);
    if (PEERS) {
      const dsbulkSettings = settingsToRun(DSBULK_GRID, grid);
      const cqlshSettings = settingsToRun(CQLSH_GRID, grid);
      // The file cut into the parts the tuned dsbulk settings read, once (a copy of its bytes, not part of any load).
      const parts = new Map<number, CsvParts>();
      for (const files of new Set(dsbulkSettings.map((setting) => setting.files).filter((files) => files > 1))) {
        parts.set(files, await splitCsv(path, files));
        say(`cut into ${files} parts for dsbulk: ${parts.get(files)!.dir}`);
      }
      const partsOf = (files: number): { file: string; bytes: number } =>
        files === 1 ? { file: path, bytes } : { file: parts.get(files)!.dir, bytes: parts.get(files)!.bytes };
      const loads: PeerLoad[] = [
        {
          loader: `dsbulk ${DSBULK_VERSION}`,
          peer: 'dsbulk',
          note: `its defaults; JVM start included, ${CONSISTENCY}`,
          bytes,
          load: () => peers.dsbulk.load({ file: path, keyspace: KEYSPACE, table: TABLE, header: true, extraArgs: ['-cl', CONSISTENCY] }),
        },
        ...(FORMATS.includes('csv.gz')
          ? [
              {
                loader: 'dsbulk 1.10.0 (csv.gz)',
                note: `the gzip file, decompressed by its connector (\`--connector.csv.compression gzip\`); JVM start included, ${CONSISTENCY}`,
                bytes: statSync(path.replace(/\.csv$/, '.csv.gz')).size,
                load: () =>
                  peers.dsbulk.load({
                    file: path.replace(/\.csv$/, '.csv.gz'),
                    keyspace: KEYSPACE,
                    table: TABLE,
                    header: true,
                    extraArgs: ['-cl', CONSISTENCY, '--connector.csv.compression', 'gzip'],
                  }),
              },
            ]
          : []),
        ...dsbulkSettings.map((setting): PeerLoad => ({
          loader: `dsbulk ${DSBULK_VERSION}, tuned: ${setting.name}`,
          peer: 'dsbulk',
          setting: setting.name,
          note: `${describeDsbulkSetting(setting)}; JVM start included, ${CONSISTENCY}`,
          bytes: partsOf(setting.files).bytes,
          load: () =>
            peers.dsbulk.load({
              file: partsOf(setting.files).file,
              keyspace: KEYSPACE,
              table: TABLE,
              header: true,
              extraArgs: ['-cl', CONSISTENCY, ...dsbulkSettingArgs(setting)],
            }),
        })),
        {
          loader: 'cqlsh 6.2.2 COPY FROM',
          peer: 'cqlsh',
          note: `its defaults; all its processes, ${CONSISTENCY}`,
          bytes,
          load: () => peers.cqlsh.load({ file: path, keyspace: KEYSPACE, table: TABLE, columns: READINGS_COLUMNS, header: true, consistency: CONSISTENCY }),
        },
        ...cqlshSettings.map((setting): PeerLoad => ({
          loader: `cqlsh 6.2.2 COPY FROM, tuned: ${setting.name}`,
          peer: 'cqlsh',
          setting: setting.name,
          note: `${describeCqlshSetting(setting)}; all its processes, ${CONSISTENCY}`,
          bytes,
          load: () =>
            peers.cqlsh.load({
              file: path,
              keyspace: KEYSPACE,
              table: TABLE,
              columns: READINGS_COLUMNS,
              header: true,
              consistency: CONSISTENCY,
              copyOptions: cqlshCopyOptions(setting),
            }),
        })),
      ];
      for (const { loader, peer, setting, note, bytes: fileBytes, load } of loads) {
        await client.execute(`TRUNCATE ${KEYSPACE}.${TABLE}`);
        say(loader);
        const nodeCpuBefore = nodeCpuSeconds();
        const result = await load();
        const nodeCpu = nodeCpuSeconds() - nodeCpuBefore;
        await counted({
          loader,
          ...(peer ? { peer } : {}),
          ...(setting ? { setting } : {}),
          rows: 0,
          seconds: result.seconds,
          peakRssBytes: result.peakRssBytes,
          cpuSeconds: result.cpuSeconds,
          nodeCpuSeconds: nodeCpu,
          fileBytes,
          note: `${result.errors} errors; ${note}`,
        });
      }
    }

    results.push({ rows, bytes, runs });
    const ceilingRun0 = runs.find((run) => run.loader.startsWith('node ceiling'));
    // Each peer at its best: the fastest of its runs on the plain CSV, its defaults or tuned, that loaded every row.
    const dsbulkRun = bestRun(runs, 'dsbulk', rows);
    const cqlshRun = bestRun(runs, 'cqlsh', rows);
    const mb = bytes / 1e6;
    const platformRuns = runs.filter((run) => run.loader.startsWith('mysimbdp'));
    const best = platformRuns.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
    // The ceiling's nodes' CPU is a mean over the passes it makes (one per setting it tries), not its best pass's: no floor.
    const floorOf = (run: Run): number | undefined => (run === ceilingRun0 ? undefined : cpuFloorSeconds(run));
    const bestFloor = floorOf(best);
    const table = markdownTable(
      [
        'loader',
        'file bytes',
        'rows loaded',
        'seconds',
        'rows/s',
        'MB/s',
        'of the ceiling',
        '× best dsbulk',
        '× best cqlsh',
        'CPU s per 1M rows',
        'rows per CPU-second',
        "the nodes' CPU µs a row",
        'CPU floor (its share of the time)',
        'peak RSS',
        'longest chunk',
        'notes',
      ],
      runs.map((run) => [
        run.loader,
        run.fileBytes ? formatByteSize(run.fileBytes) : '-',
        run.rows === rows ? `${run.rows} ✓` : `${run.rows} ✗ (expected ${rows})`,
        run.seconds.toFixed(1),
        Math.round(rows / run.seconds),
        (mb / run.seconds).toFixed(1),
        ceilingRun0 ? `${Math.round((ceilingRun0.seconds / run.seconds) * 100)} %` : '-',
        dsbulkRun ? (dsbulkRun.seconds / run.seconds).toFixed(2) : '-',
        cqlshRun ? (cqlshRun.seconds / run.seconds).toFixed(2) : '-',
        ((run.cpuSeconds / rows) * 1e6).toFixed(1),
        run.cpuSeconds > 0 ? Math.round(rows / run.cpuSeconds) : '-',
        run.nodeCpuSeconds === undefined ? '-' : ((run.nodeCpuSeconds / rows) * 1e6).toFixed(1),
        ((floor) => (floor === undefined ? '-' : `${floor.toFixed(1)} s (${Math.round((floor / run.seconds) * 100)} %)`))(floorOf(run)),
        formatByteSize(run.peakRssBytes),
        run.longestChunkSeconds === undefined ? '-' : `${run.longestChunkSeconds.toFixed(1)} s`,
        run.note,
      ]),
    );
    sections.push(`One CSV, ${rows} rows (${mb.toFixed(0)} MB, \`bench/generateReadings.ts\`), into \`${KEYSPACE}.${TABLE}\` (the zoo app's table), emptied between loaders; every load counted back partition by partition${DRY_RUN ? " (the platform's dry runs write nothing: their rows are those they validated)" : ''}. The peers' tuned settings: ${{ full: 'the full grid', best: 'the best known of each peer', none: 'none' }[grid]}. The platform plans a file of at least two ranges of ${PLAN_RANGE_CHUNKS.join(' or ')} chunks in ranges, several invocations at once; a smaller one in one scan.

${table}

Targets: end to end at least 80 % of the node's ceiling: ${ceilingRun0 ? `${verdict(ceilingRun0.seconds / best.seconds >= 0.8)} (${Math.round((ceilingRun0.seconds / best.seconds) * 100)} % at best)` : 'the ceiling did not run'}; never below 1.5 × dsbulk at its best: ${dsbulkRun ? `${verdict(platformRuns.every((run) => dsbulkRun.seconds / run.seconds >= 1.5))} (${platformRuns.map((run) => (dsbulkRun.seconds / run.seconds).toFixed(2)).join(', ')}; dsbulk's best: ${describeBest(runs, 'dsbulk', rows)})` : 'dsbulk did not run'}; against cqlsh at its best: ${cqlshRun ? `${platformRuns.map((run) => (cqlshRun.seconds / run.seconds).toFixed(2)).join(', ')} (cqlsh's best: ${describeBest(runs, 'cqlsh', rows)})` : 'cqlsh did not run'}; 2 × the best dsbulk and 2 × the best cqlsh against mysimbdp's fastest run's CPU floor: ${dsbulkRun && cqlshRun && bestFloor !== undefined ? `${withinFloor(dsbulkRun.seconds / 2, bestFloor)}; ${withinFloor(cqlshRun.seconds / 2, bestFloor)}` : 'a peer did not run'}; the longest chunk under 100 s: ${verdict(platformRuns.every((run) => (run.longestChunkSeconds ?? 0) < 100))}; every invocation's peak RSS under 256 MB: ${verdict(platformRuns.every((run) => run.peakRssBytes < 256 * 2 ** 20))}.`);
  }
} finally {
  await offline.stop();
  await client.shutdown();
  await cloud.stop(started);
}

await appendBenchmark(`## Batch ingestion in chunks, ${today()}

Machine: ${describeMachine()}. Cassandra: ${
  config.cassandra.contactPoints.length === 1
    ? 'one node'
    : `${config.cassandra.contactPoints.length} nodes on this machine, ${Object.entries(config.cassandra.replication)
        .map(([center, copies]) => `${copies} copies in ${center}`)
        .join(', ')}`
}; every loader writes at ${CONSISTENCY}.

mysimbdp is timed end to end (upload, S3 event, SQS, cutting, every chunk validated, then every chunk written, the record final), each function in its own process as Lambda runs it (\`bench/SqsEventSource.ts\`, heap limit \`${BATCH_INGEST_NODE_OPTIONS}\`); its peak RSS is the highest of any of those processes. The ceiling and the peers' peak RSS is their process tree's, sampled from /proc. CPU is user and system time of the loader's own processes, not Cassandra's: mysimbdp's every invocation, the ceiling's writing (not its making of the rows), dsbulk's JVM and cqlsh with its COPY workers (the children's times the kernel gives their parent once they end). The nodes' CPU is Cassandra's own (every node's process tree) while the loader ran, for the ceiling per pass over the rows (it writes them once per setting it tries): what the rows cost the database as each loader sends them; compaction that runs on after a load is not in it. The CPU floor is every CPU-second a load cost (its own, the nodes', and for mysimbdp LocalStack's) over the machine's ${availableParallelism()} cores: all of them share these cores, so it is the shortest the load could take at that CPU per row, and its share of the time says how busy the load kept the cores (the ceiling has none: its nodes' CPU is a mean over its passes). The peers run with their defaults, then at the settings of their tuned grids (\`bench/peers/dsbulkGrid.ts\`, \`bench/peers/cqlshGrid.ts\`; each setting in the loader's name, its options in the notes; dsbulk's parts are cut from the file beforehand, untimed); "× best dsbulk" and "× best cqlsh" compare with each peer's fastest run that loaded every row. Chunk size ${CHUNK_SIZE} (${parseByteSize(CHUNK_SIZE)} bytes).

${sections.join('\n\n')}
`);
if (process.env.BENCH_RESULTS) writeFileSync(process.env.BENCH_RESULTS, JSON.stringify({ nodes: config.cassandra.contactPoints.length, results }, null, 2));
say('appended to BENCHMARKS.md');
process.exit(0);
