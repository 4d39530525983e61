// `npm run bench:fair`: how long one tenant's file waits beside another
// tenant's work, through serverless offline as `npm start` runs it, at the
// default chunk capacity (MYSIMBDP_CHUNK_CONCURRENCY, 4). Two cases:
//
// - a large file: tenant A uploads a file of 24 chunks; once its chunks are
//   being validated (and more wait), tenant B uploads a file of 2 chunks;
// - many small files: tenant A uploads a batch of 100 small files, then
//   tenant B uploads one small file.
//
// Each case is measured three ways in the same run: B alone (the ceiling: no
// one to share with), B beside A as the platform serves it now (a queue per
// tenant, served in turn), and B's file sent by A itself, after A's work, into
// A's queue: one queue for both, first come first served, as every tenant's
// tasks were served before the queues per tenant (the peer). Times are from
// the end of the upload until the file's ingestion record finished (and, in
// the log, until the API showed it, polled every 50 ms). Appends to
// BENCHMARKS.md.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, type IngestionView } from '../clients/ApiClient';
import { postMultipart } from '../clients/postMultipart';
import { FINAL_STATUSES } from '../layers/platform/src';
import { ServerlessOffline } from '../localstack/PlatformProcess';
import { runScript } from '../localstack/process/runScript';
import { repoRoot } from '../localstack/paths';
import { openBenchStage } from './benchStage';
import { appendBenchmark, markdownTable } from './benchmarksFile';
import { describeMachine, today } from './machine';

const CHUNK_SIZE = '512 KiB';
const CHUNK_BYTES = 512 * 1024;
const LARGE_CHUNKS = 24;
const SMALL_CHUNKS = 2;
const SMALL_FILES = 100;
const ALONE_RUNS = 3;
const PASSWORD = 'bench-fair-share-password';
const say = (message: string): void => console.log(`[bench:fair] ${message}`);

/** A CSV file of about `bytes` bytes, its rows numbered from 1, `seed` in every row so that files differ. */
function csv(bytes: number, seed: number): string {
  const lines = ['id,note,amount'];
  let size = lines[0]?.length ?? 0;
  for (let id = 1; size < bytes - 64; id += 1) {
    const line = `${id},reading ${seed}-${id} of the bench,${(id * 3) % 1000}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

const folder = await mkdtemp(join(tmpdir(), 'mysimbdp-bench-fair-'));

/** Sends a file through an upload grant, as fetchdata does; the grant. */
async function upload(api: ApiClient, fileName: string, text: string, batchId?: string) {
  const path = join(folder, `${Math.random().toString(36).slice(2)}-${fileName}`);
  await writeFile(path, text);
  const grant = await api.grantUpload(fileName, Buffer.byteLength(text), batchId);
  const sent = await postMultipart(grant.upload.url, grant.upload.fields, path, () => undefined);
  if (sent.status >= 300) throw new Error(`upload of ${fileName} refused: ${sent.body}`);
  await rm(path);
  return grant;
}

/** Waits until every file of the batch is final; their records. */
async function settled(api: ApiClient, batchId: string, files = 1): Promise<readonly IngestionView[]> {
  for (;;) {
    const records = (await api.ingestions(batchId)).ingestions;
    if (records.length === files && records.every((record) => FINAL_STATUSES.includes(record.status))) {
      const bad = records.find((record) => record.status !== 'ingested');
      if (bad) throw new Error(`${bad.fileName} ended ${bad.status}: ${bad.reason}`);
      return records;
    }
    await sleep(50);
  }
}

/**
 * Seconds from the end of a file's upload until it landed: until its record's
 * finish (the platform's clock is this machine's), and until the API showed it
 * (polled every 50 ms; on an API as busy as the other tenant's work makes it,
 * a poll can take longer than the file).
 */
async function landing(api: ApiClient, fileName: string, text: string): Promise<number> {
  const grant = await upload(api, fileName, text);
  const uploaded = Date.now();
  const [record] = await settled(api, grant.batchId);
  const seen = (Date.now() - uploaded) / 1000;
  const landed = (Date.parse(String(record?.finishedAt)) - uploaded) / 1000;
  say(`  ${fileName}: landed ${landed.toFixed(2)} s after its upload, shown by the API after ${seen.toFixed(2)} s`);
  return landed;
}

/** Starts tenant A's large file and returns once its chunks are being validated and more wait in its queue. */
async function largeFileUnderWay(api: ApiClient, text: string): Promise<{ batchId: string; uploaded: number }> {
  const grant = await upload(api, 'large.csv', text);
  const uploaded = performance.now();
  for (;;) {
    const [record] = (await api.ingestions(grant.batchId)).ingestions;
    if (record?.chunks && record.chunks.validated >= 1 && record.waiting) return { batchId: grant.batchId, uploaded };
    if (record && FINAL_STATUSES.includes(record.status)) throw new Error(`the large file ended ${record.status} before B's file was sent`);
    await sleep(50);
  }
}

/** Tenant A's batch of small files, sent twenty at a time; its batch id. */
async function smallFilesSent(api: ApiClient, text: (index: number) => string): Promise<string> {
  const first = await upload(api, 'day_000.csv', text(0));
  for (let start = 1; start < SMALL_FILES; start += 20) {
    const indexes = Array.from({ length: Math.min(20, SMALL_FILES - start) }, (_, offset) => start + offset);
    await Promise.all(indexes.map((index) => upload(api, `day_${String(index).padStart(3, '0')}.csv`, text(index), first.batchId)));
  }
  return first.batchId;
}

const stage = await openBenchStage(say);
const offline = new ServerlessOffline('bench', { POWERTOOLS_LOG_LEVEL: 'WARN', MYSIMBDP_CHUNK_SIZE: CHUNK_SIZE });
const rows: Array<Array<string | number>> = [];
try {
  const tenantsDir = join(folder, 'tenants');
  for (const id of ['fairbencha', 'fairbenchb']) {
    const added = await runScript(
      join(repoRoot, 'clients', 'tenants.ts'),
      [
        '--stage',
        'bench',
        '--tenants-dir',
        tenantsDir,
        'add',
        id,
        '--display-name',
        `bench tenant ${id}`,
        '--formats',
        'csv',
        '--max-file-size',
        '64 MiB',
        '--max-files-per-batch',
        String(SMALL_FILES),
        '--no-provision',
      ],
      { MYSIMBDP_NEW_PASSWORD: PASSWORD },
    );
    if (added.status !== 0) throw new Error(`tenants add ${id} failed: ${added.stderr}${added.stdout}`);
  }
  await stage.provision(tenantsDir);
  await offline.start();
  const a = new ApiClient(offline.apiUrl);
  const b = new ApiClient(offline.apiUrl);
  await a.login('fairbencha', PASSWORD);
  await b.login('fairbenchb', PASSWORD);

  // The large file case. B's file goes to the same table every time (its first run made it, unmeasured).
  const large = csv(LARGE_CHUNKS * CHUNK_BYTES, 1);
  const small = csv(SMALL_CHUNKS * CHUNK_BYTES - 4096, 2);
  say(`warming up: B's ${SMALL_CHUNKS}-chunk file`);
  await landing(b, 'small.csv', small);
  const alone: number[] = [];
  for (let run = 0; run < ALONE_RUNS; run += 1) alone.push(await landing(b, 'small.csv', small));
  say(`B's ${SMALL_CHUNKS}-chunk file alone: ${alone.map((seconds) => seconds.toFixed(2)).join(' s, ')} s`);
  const largeAlone = await landing(a, 'large.csv', large);
  say(`A's ${LARGE_CHUNKS}-chunk file alone: ${largeAlone.toFixed(1)} s`);

  const now = await largeFileUnderWay(a, large);
  const besideNow = await landing(b, 'small.csv', small);
  await settled(a, now.batchId);
  const largeBesideNow = (performance.now() - now.uploaded) / 1000;
  say(`B's file beside A's, queues per tenant: ${besideNow.toFixed(2)} s (A's: ${largeBesideNow.toFixed(1)} s)`);

  const before = await largeFileUnderWay(a, large);
  const besideBefore = await landing(a, 'small.csv', small);
  await settled(a, before.batchId);
  say(`B's file behind A's in one queue: ${besideBefore.toFixed(2)} s`);
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  rows.push([
    `a ${SMALL_CHUNKS}-chunk file beside a ${LARGE_CHUNKS}-chunk file`,
    `${mean(alone).toFixed(2)} (${alone.map((seconds) => seconds.toFixed(2)).join(', ')})`,
    besideNow.toFixed(2),
    besideBefore.toFixed(2),
    `${largeAlone.toFixed(1)} alone, ${largeBesideNow.toFixed(1)} beside B`,
  ]);

  // The many small files case: a file of 20 rows, B's to one table, A's each to a table of its own (the generic app
  // makes a table per file name, as a day's export per file would). A's tables are made by a first batch, unmeasured
  // (a tenant's first day), so that both measured batches write to tables that exist.
  const tiny = (seed: number) => `id,note,amount\n${Array.from({ length: 20 }, (_, index) => `${index + 1},day ${seed},${index * seed}`).join('\n')}\n`;
  await landing(b, 'quiet.csv', tiny(1));
  const tinyAlone: number[] = [];
  for (let run = 0; run < ALONE_RUNS; run += 1) tinyAlone.push(await landing(b, 'quiet.csv', tiny(1)));
  say(`B's small file alone: ${tinyAlone.map((seconds) => seconds.toFixed(2)).join(' s, ')} s`);
  await settled(a, await smallFilesSent(a, (index) => tiny(index + 2 * SMALL_FILES)), SMALL_FILES);
  let flood = performance.now();
  const floodNow = await smallFilesSent(a, tiny);
  const tinyBesideNow = await landing(b, 'quiet.csv', tiny(1));
  await settled(a, floodNow, SMALL_FILES);
  const floodNowSeconds = (performance.now() - flood) / 1000;
  say(`B's small file beside A's ${SMALL_FILES}, queues per tenant: ${tinyBesideNow.toFixed(2)} s (A's batch: ${floodNowSeconds.toFixed(1)} s)`);
  flood = performance.now();
  const floodBefore = await smallFilesSent(a, (index) => tiny(index + SMALL_FILES));
  const tinyBesideBefore = await landing(a, 'quiet.csv', tiny(1));
  await settled(a, floodBefore, SMALL_FILES);
  say(`B's small file behind A's ${SMALL_FILES} in one queue: ${tinyBesideBefore.toFixed(2)} s`);
  rows.push([
    `a small file beside a batch of ${SMALL_FILES} small files`,
    `${mean(tinyAlone).toFixed(2)} (${tinyAlone.map((seconds) => seconds.toFixed(2)).join(', ')})`,
    tinyBesideNow.toFixed(2),
    tinyBesideBefore.toFixed(2),
    `${floodNowSeconds.toFixed(1)} (the batch, beside B)`,
  ]);
} finally {
  await offline.stop();
  await stage.close();
  await rm(folder, { recursive: true, force: true });
}

await appendBenchmark(`## Fair shares: a tenant's file beside another tenant's work, ${today()}

Machine: ${describeMachine()}.

\`npm run bench:fair\`, through serverless offline as \`npm start\` runs it, chunk size ${CHUNK_SIZE}, 4 chunk invocations at once for all tenants (the default). Seconds from the end of B's upload until its file landed (its ingestion record's finish). The API, polled every 50 ms, showed it a poll later, or about 2 s later when serverless offline had to start a new instance of the API function (it stops instances idle for a minute, and a new one connects to Cassandra first); the run's log gives both. *Alone*: B's file with nothing else running, the mean of ${ALONE_RUNS} runs after a warm-up (the ceiling). *Beside A*: sent once A's work is under way (its large file's chunks being validated with more waiting, or its whole batch uploaded), as the platform serves it: a queue per tenant, served in turn. *One queue*: the same file sent by A itself after its work, into A's queue: first come first served, as every tenant's tasks were served in one queue before (the peer). Commit ${process.env.BENCH_LABEL ?? 'working tree'}.

${markdownTable(["B's file", 'alone (s)', 'beside A, a queue per tenant (s)', 'one queue, first come first served (s)', "A's work (s)"], rows)}
`);
say('appended to BENCHMARKS.md');
process.exit(0);
