import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localCloudDir } from '../../../localstack/paths';

const execFileAsync = promisify(execFile);

/** The pyarrow the tests write their second writer's files with, in a virtualenv of its own (never the platform's). */
export const PYARROW_REQUIREMENT = 'pyarrow==26.0.1';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'writeWithPyarrow.py');

/** A table for pyarrow: each column's name, Arrow type and values as JSON (see writeWithPyarrow.py). */
export interface PyarrowTable {
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string; readonly values: readonly unknown[] }>;
  readonly rowGroupSize: number;
  readonly compression?: 'snappy' | 'zstd' | 'gzip' | 'none';
}

/**
 * The Python of a virtualenv holding {@link PYARROW_REQUIREMENT}, made on
 * first use (`python3 -m venv`, then pip; a minute) and kept: a stamp file
 * names what was installed, so a later call with the same requirement does
 * nothing and a changed requirement installs again.
 */
export async function pyarrowPython(venv = join(localCloudDir, 'pyarrow')): Promise<string> {
  const python = join(venv, 'bin', 'python');
  const stamp = join(venv, 'installed-requirements');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === PYARROW_REQUIREMENT) return python;
  await rm(venv, { recursive: true, force: true });
  await mkdir(dirname(venv), { recursive: true });
  await execFileAsync('python3', ['-m', 'venv', venv]);
  await execFileAsync(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--no-input', '--quiet', PYARROW_REQUIREMENT], {
    maxBuffer: 16 * 1024 * 1024,
  });
  await writeFile(stamp, `${PYARROW_REQUIREMENT}\n`);
  return python;
}

/**
 * A Parquet file written by pyarrow (installed on first use, see
 * {@link pyarrowPython}), with the given columns, types and row groups.
 *
 * @example
 * const { bytes, rowGroups } = await writeWithPyarrow({ columns, rowGroupSize: 500, compression: 'zstd' });
 */
export async function writeWithPyarrow(table: PyarrowTable, venv?: string): Promise<{ bytes: Buffer; rowGroups: number; rows: number; createdBy: string }> {
  const python = await pyarrowPython(venv);
  const folder = await mkdtemp(join(tmpdir(), 'mysimbdp-pyarrow-'));
  const path = join(folder, 'table.parquet');
  try {
    const child = execFileAsync(python, [SCRIPT], { maxBuffer: 16 * 1024 * 1024 });
    child.child.stdin?.end(JSON.stringify({ ...table, path }));
    const { stdout } = await child;
    const written = JSON.parse(stdout) as { rowGroups: number; rows: number; createdBy: string };
    return { bytes: await readFile(path), ...written };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
