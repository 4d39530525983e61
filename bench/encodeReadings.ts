import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { FileFormat } from '../layers/platform/src';
import { repoRoot } from '../localstack/paths';
import { ensureZstd, ZSTD } from '../tests/helpers/compressors';
import { pyarrowPython } from '../tests/helpers/parquet/writeWithPyarrow';

/** A readings file in one of the formats tenants upload. */
export interface EncodedReadings {
  readonly path: string;
  readonly bytes: number;
  /** Seconds it took to make it (0 when it was made by an earlier run). */
  readonly seconds: number;
}

/**
 * The readings CSV at `csvPath` in `format`, made next to it once and reused:
 * gzip at zlib's default level (what `gzip` and most exporters write), zstd at
 * the reference tool's default level 3, Parquet by pyarrow with its default
 * settings and the zoo table's column types (`bench/csvToParquet.py`).
 */
export async function encodeReadings(csvPath: string, format: FileFormat): Promise<EncodedReadings> {
  if (format === 'csv') return { path: csvPath, bytes: statSync(csvPath).size, seconds: 0 };
  const path = csvPath.replace(/\.csv$/, `.${format}`);
  if (existsSync(path) && statSync(path).mtimeMs >= statSync(csvPath).mtimeMs) return { path, bytes: statSync(path).size, seconds: 0 };
  const begin = performance.now();
  if (format === 'csv.gz') {
    await pipeline(createReadStream(csvPath), createGzip(), createWriteStream(path));
  } else if (format === 'csv.zst') {
    await ensureZstd();
    const made = spawnSync(ZSTD, ['-q', '-f', '-3', csvPath, '-o', path]);
    if (made.status !== 0) throw new Error(`zstd failed: ${String(made.stderr)}`);
  } else if (format === 'parquet') {
    const made = spawnSync(await pyarrowPython(), [join(repoRoot, 'bench', 'csvToParquet.py'), csvPath, path]);
    if (made.status !== 0) throw new Error(`pyarrow failed: ${String(made.stderr)}`);
  } else {
    throw new RangeError(`the benchmark makes no ${format} file`);
  }
  return { path, bytes: statSync(path).size, seconds: (performance.now() - begin) / 1000 };
}
