import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { logFile } from '../../localstack/paths';
import { aptInstall } from '../../localstack/process/run';

export const ZSTD = '/usr/bin/zstd';

/** Debian's zstd, the reference compressor, installed with apt-get when missing (as root, like Chromium). */
export async function ensureZstd(): Promise<void> {
  if (!existsSync(ZSTD)) await aptInstall(['zstd'], logFile('zstd-install'));
}

/** Bytes compressed by the reference zstd (call {@link ensureZstd} first). */
export function zstd(bytes: string | Buffer, level = 3): Buffer {
  const result = spawnSync(ZSTD, ['-q', '-c', `-${level}`], { input: bytes, maxBuffer: 1024 ** 3 });
  if (result.status !== 0) throw new Error(`zstd failed: ${String(result.stderr)}`);
  return result.stdout;
}

export function gzip(bytes: string | Buffer): Buffer {
  return gzipSync(bytes);
}

/** Bytes compressed as a file named `.<suffix>` holds them. */
export function compressed(suffix: 'gz' | 'zst', bytes: string | Buffer): Buffer {
  return suffix === 'gz' ? gzip(bytes) : zstd(bytes);
}
