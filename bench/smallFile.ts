// `npm run bench:small`: the end-to-end time of a small file (about 2 KB, 20
// readings) through the platform, as a tenant sees it: upload grant, presigned
// POST, S3 event, SQS, batch-ingest function (the hand-over), the tenant's
// chunk queue, batch-chunk function (intake and ingestion), Cassandra, until
// the ingestion record is final. Run BENCH_SMALL_FILES times one after the other (default
// 20), through serverless offline as `npm start` runs it. Appends to BENCHMARKS.md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type IngestionView } from '../clients/ApiClient';
import { postMultipart } from '../clients/postMultipart';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { localCloudDir, repoRoot } from '../localstack/paths';
import { openBenchStage } from './benchStage';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { describeMachine, today } from './machine';

const FILES = Number(process.env.BENCH_SMALL_FILES ?? 20);
const say = (message: string): void => console.log(`[bench:small] ${message}`);
const HEADER = 'time,readable_time,acceleration,acceleration_x,acceleration_y,acceleration_z,battery,humidity,pressure,temperature,dev-id';

function smallCsv(run: number): string {
  const lines = Array.from({ length: 20 }, (_, n) => {
    const time = Date.UTC(2018, 9, 1) + run * 60_000 + n * 1000;
    return `${time},${new Date(time).toISOString()},1.0,0.1,0.2,0.9,${2900 + n},61,1010.5,${(20 + n / 10).toFixed(1)},turtle-small`;
  });
  return `${[HEADER, ...lines].join('\n')}\n`;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const stage = await openBenchStage(say);
const offline = new ServerlessOffline('bench', { POWERTOOLS_LOG_LEVEL: 'WARN' });
const endToEnd: number[] = [];
const inFunction: number[] = [];
let bytes = 0;
try {
  await stage.provision(join(repoRoot, 'tenants'));
  await offline.start();
  const api = new ApiClient(offline.apiUrl);
  await api.login('zoo', 'zoo-demo-password');
  const folder = join(localCloudDir, 'bench', 'small');
  await mkdir(folder, { recursive: true });
  // One warm-up file (the function's first invocation bundles and connects), then the measured ones.
  for (let run = 0; run <= FILES; run += 1) {
    const path = join(folder, `small-${run}.csv`);
    const text = smallCsv(run);
    bytes = Buffer.byteLength(text);
    await writeFile(path, text);
    const begin = performance.now();
    const grant = await api.grantUpload(`small-${run}.csv`, bytes);
    const upload = await postMultipart(grant.upload.url, grant.upload.fields, path, () => undefined);
    if (upload.status >= 300) throw new Error(`upload refused: ${upload.body}`);
    let record: IngestionView | undefined;
    for (;;) {
      record = (await api.ingestions(grant.batchId)).ingestions[0];
      if (record && ['ingested', 'rejected', 'failed'].includes(record.status)) break;
      await sleep(20);
    }
    if (record.status !== 'ingested') throw new Error(`small-${run}.csv ended ${record.status}: ${record.reason}`);
    if (run === 0) continue;
    endToEnd.push(performance.now() - begin);
    inFunction.push(record.durationMs ?? 0);
  }
} finally {
  await offline.stop();
  await stage.close();
}

const row = (what: string, values: number[]): Array<string | number> => [
  what,
  Math.round(percentile(values, 50)),
  Math.round(values.reduce((a, b) => a + b, 0) / values.length),
  Math.round(percentile(values, 90)),
  Math.round(Math.max(...values)),
];
await appendBenchmark(`## Small file end to end, ${today()}

Machine: ${describeMachine()}.

${FILES} files of ${bytes} bytes (20 readings each, the zoo app), one after the other through serverless offline (\`npm run bench:small\`): upload grant, presigned POST, S3 event, SQS, batch-ingest function (the hand-over), the tenant's chunk queue, batch-chunk function (intake and ingestion), Cassandra, polled every 20 ms until the ingestion record is final. Commit ${process.env.BENCH_LABEL ?? 'working tree'}.

${markdownTable(['measure', 'p50 ms', 'mean ms', 'p90 ms', 'max ms'], [row('end to end (grant to final record)', endToEnd), row('in the function (record duration)', inFunction)])}
`);
say(`end to end p50 ${Math.round(percentile(endToEnd, 50))} ms; in the function p50 ${Math.round(percentile(inFunction, 50))} ms; appended to BENCHMARKS.md`);
process.exit(0);
