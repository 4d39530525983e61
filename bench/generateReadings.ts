import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';

export const READINGS_COLUMNS = [
  'dev_id',
  'day',
  'ts',
  'temperature',
  'humidity',
  'pressure',
  'battery',
  'acceleration',
  'acceleration_x',
  'acceleration_y',
  'acceleration_z',
];
export const DEVICES = 100;
export const START = Date.UTC(2018, 9, 1);
export const STEP_MS = 10_000;

/** The (tracker, day) partitions a file of `rows` readings fills, with their row counts. */
export function partitionsOf(rows: number): Map<string, number> {
  const partitions = new Map<string, number>();
  for (let n = 0; n < rows; n += 1) {
    const key = `${deviceOf(n)}|${new Date(timeOf(n)).toISOString().slice(0, 10)}`;
    partitions.set(key, (partitions.get(key) ?? 0) + 1);
  }
  return partitions;
}

function deviceOf(n: number): string {
  return `turtle-${String(n % DEVICES).padStart(3, '0')}`;
}

function timeOf(n: number): number {
  return START + Math.floor(n / DEVICES) * STEP_MS;
}

/** The values of reading `n` as the CSV holds them, in {@link READINGS_COLUMNS} order; `random` is the file's seeded sequence. */
export function readingValues(n: number, random: () => number): string[] {
  const time = timeOf(n);
  const iso = new Date(time).toISOString();
  const ax = (random() * 0.4 - 0.2).toFixed(3);
  const ay = (random() * 0.4 - 0.2).toFixed(3);
  const az = (0.9 + random() * 0.2).toFixed(3);
  return [
    deviceOf(n),
    iso.slice(0, 10),
    iso,
    (18 + random() * 8).toFixed(2),
    (60 + random() * 30).toFixed(1),
    (1005 + random() * 10).toFixed(1),
    String(2900 + Math.floor(random() * 100)),
    '1.0',
    ax,
    ay,
    az,
  ];
}

/** The seeded sequence every readings file is made with, so that the same `n` always gives the same values. */
export function readingsRandom(): () => number {
  let seed = 7;
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/**
 * Writes `rows` turtle-tracker readings in the table's own columns (one row per
 * (tracker, time), so every row is distinct), about 100 bytes a row. The same
 * file goes to every loader. Kept between runs.
 *
 * @example
 * await generateReadings('.localcloud/bench/readings-1000000.csv', 1_000_000);
 */
export async function generateReadings(path: string, rows: number): Promise<{ path: string; bytes: number }> {
  if (existsSync(path)) return { path, bytes: statSync(path).size };
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(`${path}.partial`);
  out.write(`${READINGS_COLUMNS.join(',')}\n`);
  const random = readingsRandom();
  for (let n = 0; n < rows; n += 1) {
    const line = `${readingValues(n, random).join(',')}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  out.end();
  await finished(out);
  const { rename } = await import('node:fs/promises');
  await rename(`${path}.partial`, path);
  return { path, bytes: statSync(path).size };
}
