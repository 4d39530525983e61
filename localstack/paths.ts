import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

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
