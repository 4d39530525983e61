import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first folder up from this module (or from its bundle in dist/) holding serverless.yml. */
function findRepoRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'serverless.yml')) && dirname(folder) !== folder) folder = dirname(folder);
  return folder;
}

export const repoRoot = findRepoRoot();

/**
 * The one git-ignored folder holding everything the local cloud installs or
 * writes: downloads, the Python virtualenv, service data, logs, secrets.
 * Delete it (or run `npm run localcloud -- reset`) for a clean slate.
 */
export const localCloudDir = resolve(process.env.MYSIMBDP_LOCALCLOUD_DIR ?? join(repoRoot, '.localcloud'));

export const logsDir = join(localCloudDir, 'logs');

export function logFile(name: string): string {
  return join(logsDir, `${name}.log`);
}

export function pidFile(name: string): string {
  return join(localCloudDir, 'run', `${name}.pid`);
}
