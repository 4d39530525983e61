// The node's own write ceiling, for `npm run bench:batch`: the fastest raw
// cassandra-driver writer of the same rows the benchmark file holds, into the
// same table: rows made in memory beforehand (no file, no parsing, no
// validation), grouped by partition, written with a prepared INSERT in
// unlogged batches of one partition each, many requests in flight. Tries a few
// batch sizes and concurrencies and prints the best, as JSON, with the CPU
// time each spent writing (making the rows is not counted).
//   node --max-old-space-size=8192 --import tsx bench/ceilingWriter.ts <rows> <keyspace> <table>
import cassandra from 'cassandra-driver';
import { createCassandraClient, loadPlatformConfig } from '../layers/platform/src';
import { readingsRandom, readingValues, READINGS_COLUMNS } from './generateReadings';

const [rowsText, keyspace, table] = process.argv.slice(2) as [string, string, string];
const rows = Number(rowsText);
const GRID = [
  { rowsPerBatch: 25, concurrency: 128 },
  { rowsPerBatch: 100, concurrency: 64 },
  { rowsPerBatch: 100, concurrency: 256 },
];

/** Every row, typed as the driver writes it, grouped by (tracker, day). */
function rowsByPartition(): unknown[][][] {
  const random = readingsRandom();
  const partitions = new Map<string, unknown[][]>();
  for (let n = 0; n < rows; n += 1) {
    const [dev, day, ts, ...numbers] = readingValues(n, random) as [string, string, string, ...string[]];
    const values: unknown[] = [dev, day, new Date(ts), ...numbers.map(Number)];
    const key = `${dev}|${day}`;
    let partition = partitions.get(key);
    if (!partition) {
      partition = [];
      partitions.set(key, partition);
    }
    partition.push(values);
  }
  return [...partitions.values()];
}

/** Writes every row; the seconds it took, and the CPU seconds (user and system) this process spent on it. */
async function writeAll(
  client: cassandra.Client,
  partitions: unknown[][][],
  rowsPerBatch: number,
  concurrency: number,
): Promise<{ seconds: number; cpuSeconds: number }> {
  const query = `INSERT INTO ${keyspace}.${table} (${READINGS_COLUMNS.join(', ')}) VALUES (${READINGS_COLUMNS.map(() => '?').join(', ')})`;
  const batches: unknown[][][] = [];
  for (const partition of partitions)
    for (let start = 0; start < partition.length; start += rowsPerBatch) batches.push(partition.slice(start, start + rowsPerBatch));
  const began = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < batches.length; index = next++) {
        const batch = batches[index] as unknown[][];
        await client.batch(
          batch.map((params) => ({ query, params })),
          { prepare: true, logged: false },
        );
      }
    }),
  );
  const spent = process.cpuUsage(cpu);
  return { seconds: (performance.now() - began) / 1000, cpuSeconds: (spent.user + spent.system) / 1e6 };
}

const config = loadPlatformConfig(process.env);
const client = createCassandraClient(config, { readTimeoutMs: 120_000 });
await client.connect();
const partitions = rowsByPartition();
const results: Array<{ rowsPerBatch: number; concurrency: number; seconds: number; cpuSeconds: number; rowsPerSecond: number }> = [];
for (const setting of GRID) {
  await client.execute(`TRUNCATE ${keyspace}.${table}`);
  const { seconds, cpuSeconds } = await writeAll(client, partitions, setting.rowsPerBatch, setting.concurrency);
  results.push({ ...setting, seconds, cpuSeconds, rowsPerSecond: Math.round(rows / seconds) });
}
await client.shutdown();
const best = results.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
console.log(JSON.stringify({ best, results, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
process.exit(0);
