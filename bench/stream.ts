// `npm run bench:stream`: sustained throughput and publish-to-write latency of
// the streaming path (ingestmessage -> RabbitMQ -> bridge -> SQS -> stream-ingest
// function -> Cassandra) at several offered rates, against a consumer that
// reads RabbitMQ and writes Cassandra directly (bench/baselineConsumer.ts), in the
// same run. Appends the results to BENCHMARKS.md.
import type cassandra from 'cassandra-driver';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeSharedCassandraClient, sharedCassandraClient } from '../layers/platform/src';
import { BridgeProcess } from '../localstack/BridgeProcess';
import { LocalCloud } from '../localstack/LocalCloud';
import { localEnvironment, useLocalStage } from '../localstack/localEnvironment';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { ManagedProcess } from '../localstack/process/ManagedProcess';
import { localCloudDir, logFile, pidFile, repoRoot } from '../localstack/paths';
import { provisionLocal } from '../localstack/provisionLocal';
import { resetLocalStage } from '../localstack/resetLocalStage';
import { runScript } from '../localstack/process/runScript';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { reapedChildrenCpuSeconds, treeCpuSeconds } from './peers/measureProcess';
import { describeMachine, today } from './machine';

const RATES = (process.env.BENCH_RATES ?? '1000,5000,10000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const DAY = '2026-11-02';
const DAY_START = Date.UTC(2026, 10, 2);
const say = (message: string): void => console.log(`[bench:stream] ${message}`);
const run = randomUUID().slice(0, 6);

interface Measurement {
  path: string;
  rate: number;
  sent: number;
  confirmed: number;
  landed: number;
  sustained: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** CPU milliseconds, user and system, each part spent per 1,000 messages landed. */
  cpuPerThousand: Record<string, number>;
}

/** The processes a message goes through, by name, with their pids (the publisher is measured apart). */
type Parts = () => Record<string, number | undefined>;

/** CPU seconds each part has used so far. */
function cpuOf(parts: Parts): Record<string, number> {
  return Object.fromEntries(Object.entries(parts()).map(([name, pid]) => [name, pid === undefined ? 0 : treeCpuSeconds(pid)]));
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function measure(path: string, rate: number, secret: string, parts: Parts): Promise<Measurement> {
  const dev = `${path}-${rate}-${run}`;
  const count = rate * SECONDS;
  const lines = Array.from({ length: count }, (_, n) =>
    JSON.stringify({ msg_id: `${dev}-${n}`, 'dev-id': dev, time: DAY_START + n, temperature: 20 + (n % 10), humidity: 55, battery: 2950 }),
  );
  const folder = join(localCloudDir, 'bench');
  await mkdir(folder, { recursive: true });
  const file = join(folder, `stream-${dev}.ndjson`);
  await writeFile(file, `${lines.join('\n')}\n`);
  say(`${path}: offering ${rate} msg/s for ${SECONDS} s (${count} messages)`);
  const cpuBefore = cpuOf(parts);
  const publisherBefore = reapedChildrenCpuSeconds();
  const published = await runScript(
    'clients/ingestmessage.ts',
    ['--tenant', 'zoo', '--amqp', `amqp://127.0.0.1:5672/mysimbdp-bench`, '--file', file, '--rate', String(rate), '--id-field', 'msg_id', '--json'],
    { MYSIMBDP_AMQP_PASSWORD: secret },
  );
  const publisherCpu = reapedChildrenCpuSeconds() - publisherBefore;
  const summary = JSON.parse(published.stdout) as { published: number; confirmed: number };
  const client = await sharedCassandraClient();
  const rows = async (): Promise<cassandra.types.Row[]> => {
    const all: cassandra.types.Row[] = [];
    const stream = client.stream('SELECT published_at, written_at FROM bench_tenant_zoo.live_readings WHERE dev_id = ? AND day = ?', [dev, DAY], {
      prepare: true,
      fetchSize: 20_000,
    });
    for await (const row of stream as unknown as AsyncIterable<cassandra.types.Row>) all.push(row);
    return all;
  };
  const deadline = Date.now() + 120_000;
  let landed = await rows();
  while (landed.length < summary.confirmed && Date.now() < deadline) {
    await sleep(1000);
    landed = await rows();
  }
  const cpuAfter = cpuOf(parts);
  const perThousand = (seconds: number): number => Math.round((seconds * 1000 * 1000) / Math.max(1, landed.length));
  const cpuPerThousand = {
    publisher: perThousand(publisherCpu),
    ...Object.fromEntries(Object.keys(cpuAfter).map((name) => [name, perThousand((cpuAfter[name] ?? 0) - (cpuBefore[name] ?? 0))])),
  };
  const latencies = landed.map((row) => (row.get('written_at') as Date).getTime() - (row.get('published_at') as Date).getTime()).sort((a, b) => a - b);
  const first = landed.reduce((min, row) => Math.min(min, (row.get('published_at') as Date).getTime()), Number.POSITIVE_INFINITY);
  const last = landed.reduce((max, row) => Math.max(max, (row.get('written_at') as Date).getTime()), 0);
  const measurement: Measurement = {
    path,
    rate,
    sent: summary.published,
    confirmed: summary.confirmed,
    landed: landed.length,
    sustained: Math.round(landed.length / ((last - first) / 1000)),
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    cpuPerThousand,
  };
  say(JSON.stringify(measurement));
  return measurement;
}

const cloud = new LocalCloud();
const started = await cloud.start(say);
useLocalStage('bench');
await resetLocalStage('bench');
await provisionLocal('bench', say);
const offline = new ServerlessOffline('bench', { POWERTOOLS_LOG_LEVEL: 'WARN', MYSIMBDP_OFFLINE_SQS_PARALLELISM: process.env.BENCH_POLLERS ?? '4' });
const bridge = new BridgeProcess('bench');
const baseline = new ManagedProcess('baseline-consumer', pidFile('baseline-consumer'), logFile('baseline-consumer'));
const secret = process.env.MYSIMBDP_AMQP_PASSWORD ?? 'W4gGpZFaqJqLbiA1UMtRRFmj';
const results: Measurement[] = [];
const service = (name: string) => new ManagedProcess(name, pidFile(name), logFile(name)).pid();
const shared = { rabbitmq: () => service('rabbitmq'), localstack: () => service('localstack'), cassandra: () => service('cassandra') };
const platformParts: Parts = () => ({
  rabbitmq: shared.rabbitmq(),
  bridge: bridge.process.pid(),
  localstack: shared.localstack(),
  'serverless offline (stream function)': offline.process.pid(),
  cassandra: shared.cassandra(),
});
const baselineParts: Parts = () => ({ rabbitmq: shared.rabbitmq(), 'baseline consumer': baseline.pid(), cassandra: shared.cassandra() });
try {
  await offline.start();
  await bridge.start();
  say('warming up the functions');
  await measure('warmup', 500, secret, platformParts);
  for (const rate of RATES) results.push(await measure('platform', rate, secret, platformParts));
  await bridge.stop();
  const offset = baseline.logSize();
  baseline.start(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', 'baselineConsumer.ts'), 'zoo'], {
    cwd: repoRoot,
    env: { ...process.env, ...localEnvironment('bench') },
  });
  while (!baseline.logSince(offset).includes('baseline consumer ready')) await sleep(200);
  for (const rate of RATES) results.push(await measure('baseline', rate, secret, baselineParts));
} finally {
  await baseline.stop();
  await bridge.stop();
  await offline.stop();
  await closeSharedCassandraClient();
  await cloud.stop(started);
}

const cpuParts = [...new Set(results.flatMap((m) => Object.keys(m.cpuPerThousand)))];
const cpuRows = results.map((m) => [m.path, m.rate, ...cpuParts.map((name) => m.cpuPerThousand[name] ?? '-')]);
const target = results.find((m) => m.path === 'platform' && m.rate === 10_000);
const rows = results.map((m) => [
  m.path === 'platform' ? 'mysimbdp (AMQP → bridge → SQS → function → Cassandra)' : 'baseline (RabbitMQ consumer → Cassandra)',
  m.rate,
  `${m.landed} / ${m.confirmed}`,
  m.sustained,
  m.p50,
  m.p95,
  m.p99,
  m.max,
]);
await appendBenchmark(`## Stream ingestion, ${today()}

Machine: ${describeMachine()}.

Each rate is offered for ${SECONDS} s by \`ingestmessage --rate\` (one AMQP connection, publisher confirms); latency is publish time (set by the publisher) to write time (set by the writer just before the Cassandra write), read back from the rows.

${markdownTable(['path', 'offered msg/s', 'landed / confirmed', 'sustained msg/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'], rows)}

CPU milliseconds (user and system) each process spent per 1,000 messages landed, from the publisher's first message until every message had landed (the serverless offline process holds the stream function and the SQS pollers; ${cpus().length} cores for all of them):

${markdownTable(['path', 'offered msg/s', ...cpuParts], cpuRows)}

Target: 10,000 messages/s offered, at least 9,500 sustained with p99 under 500 ms, every message landed, through the platform: ${target ? (target.sustained >= 9500 && target.p99 < 500 && target.landed === target.confirmed ? 'met' : '**not met**') : 'not measured (no 10000 msg/s rate)'}${target ? ` (${target.sustained} msg/s, p99 ${target.p99} ms)` : ''}.
`);
say('appended to BENCHMARKS.md');
process.exit(0);
