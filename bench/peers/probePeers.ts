// `node --import tsx bench/peers/probePeers.ts [rows]`: checks that both peer
// loaders (dsbulk, cqlsh COPY FROM) really load a CSV into the running local
// Cassandra (127.0.0.1:9042): installs them, writes a CSV of `rows` readings
// (100000 by default), loads it with each (TRUNCATE between), counts the rows
// partition by partition and spot-checks values. Prints JSON; works only in
// its own keyspace, `peerprobe_ks`, dropped at the end.
import cassandra from 'cassandra-driver';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { localCloudDir } from '../../localstack/paths';
import { cassandraPlatformCredentials } from '../../localstack/services/cassandraRoles';
import { Cqlsh } from './Cqlsh';
import { Dsbulk } from './Dsbulk';

const ROWS = Number(process.argv[2] ?? 100_000);
const KEYSPACE = 'peerprobe_ks';
const TABLE = 'readings';
const COLUMNS = ['dev_id', 'day', 'ts', 'temperature', 'humidity', 'battery'];
const DEVICES = 100;
const START = Date.UTC(2018, 9, 2, 20, 10, 10);
/** Five minutes between a device's readings: 1000 readings span 4 days, so ~400 partitions. */
const STEP_MS = 300_000;
const say = (message: string): void => console.error(`[probePeers] ${message}`);

interface Reading {
  dev_id: string;
  day: string;
  ts: string;
  temperature: number;
  humidity: number;
  battery: number;
}

function reading(n: number): Reading {
  const ts = new Date(START + Math.floor(n / DEVICES) * STEP_MS).toISOString();
  return {
    dev_id: `dev-${String(n % DEVICES).padStart(3, '0')}`,
    day: ts.slice(0, 10),
    ts,
    temperature: Number((15 + ((n * 37) % 1500) / 100).toFixed(2)),
    humidity: Number((40 + ((n * 53) % 500) / 10).toFixed(1)),
    battery: 2900 + (n % 100),
  };
}

/** Writes the CSV and returns its (dev_id, day) partitions. */
async function writeCsv(path: string): Promise<Set<string>> {
  const partitions = new Set<string>();
  const out = createWriteStream(path);
  out.write(`${COLUMNS.join(',')}\n`);
  for (let n = 0; n < ROWS; n += 1) {
    const r = reading(n);
    partitions.add(`${r.dev_id}|${r.day}`);
    if (!out.write(`${r.dev_id},${r.day},${r.ts},${r.temperature},${r.humidity},${r.battery}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  out.end();
  await finished(out);
  return partitions;
}

async function countRows(client: cassandra.Client, partitions: Set<string>): Promise<number> {
  let total = 0;
  const keys = [...partitions];
  for (let i = 0; i < keys.length; i += 32) {
    const counts = await Promise.all(
      keys.slice(i, i + 32).map(async (key) => {
        const [devId, day] = key.split('|');
        const result = await client.execute(`SELECT COUNT(*) AS n FROM ${KEYSPACE}.${TABLE} WHERE dev_id = ? AND day = ?`, [devId, day], { prepare: true });
        return Number(result.first()?.get('n') ?? 0);
      }),
    );
    total += counts.reduce((sum, count) => sum + count, 0);
  }
  return total;
}

/** Reads back a few rows by their full key; lists those missing or different. */
async function spotCheck(client: cassandra.Client): Promise<string[]> {
  const problems: string[] = [];
  for (const n of [0, 1, 12_345, Math.floor(ROWS / 2), ROWS - 1].filter((i) => i < ROWS)) {
    const expected = reading(n);
    const result = await client.execute(
      `SELECT temperature, humidity, battery FROM ${KEYSPACE}.${TABLE} WHERE dev_id = ? AND day = ? AND ts = ?`,
      [expected.dev_id, expected.day, new Date(expected.ts)],
      { prepare: true },
    );
    const row = result.first();
    if (!row) problems.push(`row ${n} (${expected.dev_id}, ${expected.ts}) missing`);
    else if (row.get('temperature') !== expected.temperature || row.get('humidity') !== expected.humidity || row.get('battery') !== expected.battery) {
      problems.push(`row ${n} differs: ${JSON.stringify(row)} vs ${JSON.stringify(expected)}`);
    }
  }
  return problems;
}

const client = new cassandra.Client({
  contactPoints: ['127.0.0.1:9042'],
  localDataCenter: 'datacenter1',
  credentials: cassandraPlatformCredentials(),
  socketOptions: { readTimeout: 60_000 },
});
const results: Record<string, unknown> = { rows: ROWS };
let failed = false;
try {
  await client.connect();
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
  await client.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.${TABLE} (dev_id text, day date, ts timestamp, temperature double, humidity double, battery int, PRIMARY KEY ((dev_id, day), ts))`,
  );
  const dir = join(localCloudDir, 'bench', 'peerprobe');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `readings-${ROWS}.csv`);
  const partitions = await writeCsv(file);
  results.partitions = partitions.size;
  say(`wrote ${file}: ${ROWS} rows in ${partitions.size} partitions`);

  const dsbulk = new Dsbulk();
  const cqlsh = new Cqlsh();
  await dsbulk.install(say);
  await cqlsh.install(say);

  const loaders: Array<[string, () => Promise<{ seconds: number; rowsLoaded: number; peakRssBytes: number; log: string }>]> = [
    ['dsbulk', () => dsbulk.load({ file, keyspace: KEYSPACE, table: TABLE, header: true })],
    ['cqlsh', () => cqlsh.load({ file, keyspace: KEYSPACE, table: TABLE, columns: COLUMNS, header: true })],
  ];
  for (const [name, load] of loaders) {
    await client.execute(`TRUNCATE ${KEYSPACE}.${TABLE}`);
    say(`${name}: loading`);
    try {
      const loaded = await load();
      const rowsInTable = await countRows(client, partitions);
      const problems = await spotCheck(client);
      const ok = rowsInTable === ROWS && problems.length === 0;
      failed ||= !ok;
      results[name] = {
        ok,
        ...loaded,
        seconds: Number(loaded.seconds.toFixed(2)),
        peakRssMiB: Math.round(loaded.peakRssBytes / 2 ** 20),
        rowsInTable,
        problems,
      };
    } catch (error) {
      failed = true;
      results[name] = { ok: false, error: (error as Error).message };
    }
  }
} finally {
  await client.execute(`DROP KEYSPACE IF EXISTS ${KEYSPACE}`).catch((error: Error) => say(`could not drop ${KEYSPACE}: ${error.message}`));
  await client.shutdown();
}
console.log(JSON.stringify(results, null, 2));
process.exit(failed ? 1 : 0);
