import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export class CommandError extends Error {
  override readonly name = 'CommandError';
}

/**
 * Runs a command to completion, its output appended to `logPath`; throws a
 * `CommandError` naming the command and the log on a non-zero exit.
 *
 * @example
 * await run('mvn', ['-q', 'dependency:copy-dependencies'], { cwd, logPath });
 */
export function run(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; logPath: string }): Promise<void> {
  mkdirSync(dirname(options.logPath), { recursive: true });
  appendFileSync(options.logPath, `\n$ ${command} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const write = (chunk: Buffer): void => appendFileSync(options.logPath, chunk);
    child.stdout.on('data', write);
    child.stderr.on('data', write);
    child.on('error', (error) => reject(new CommandError(`${command}: ${error.message}`, { cause: error })));
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new CommandError(`\`${command} ${args.slice(0, 3).join(' ')} ...\` failed (exit ${code}); read ${options.logPath}`));
    });
  });
}

/** A command's trimmed output, or undefined when it cannot run. */
export function output(command: string, args: readonly string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim();
}

/** Installs Debian packages with apt-get (needs root); refreshes the index once if a package is unknown. */
export async function aptInstall(packages: readonly string[], logPath: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new CommandError(`missing ${packages.join(', ')}: install with \`sudo apt-get install -y ${packages.join(' ')}\``);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, logPath });
  } catch {
    await run('apt-get', ['update'], { env, logPath });
    await run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env, logPath });
  }
}
