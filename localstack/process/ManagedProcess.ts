import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive, killGroup, signalGroup } from './signals';

/**
 * A long-running process of the local cloud: started detached in its own
 * process group with its output appended to a log file, remembered by a pid
 * file, and stopped with SIGTERM (then SIGKILL) to its whole group.
 *
 * @example
 * const cassandra = new ManagedProcess('cassandra', pidFile('cassandra'), logFile('cassandra'));
 * cassandra.start('java', args, { env });
 * await cassandra.stop();
 */
export class ManagedProcess {
  constructor(
    readonly name: string,
    readonly pidPath: string,
    readonly logPath: string,
  ) {}

  /** The pid of the process this pid file names, if it is still running. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.pidPath, 'utf8').trim());
      return pid > 0 && alive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  start(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): number {
    mkdirSync(dirname(this.logPath), { recursive: true });
    mkdirSync(dirname(this.pidPath), { recursive: true });
    const log = openSync(this.logPath, 'a');
    try {
      const child = spawn(command, args, {
        detached: true,
        stdio: ['ignore', log, log],
        env: options.env ?? process.env,
        cwd: options.cwd,
      });
      if (!child.pid) throw new Error(`${this.name}: could not start ${command}`);
      child.unref();
      writeFileSync(this.pidPath, String(child.pid));
      return child.pid;
    } finally {
      closeSync(log);
    }
  }

  /** Stops the process group; returns false when nothing was running. */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    const pid = this.pid();
    if (!pid) {
      rmSync(this.pidPath, { force: true });
      return false;
    }
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + timeoutMs;
    while (alive(pid) && Date.now() < deadline) await sleep(200);
    if (alive(pid)) signalGroup(pid, 'SIGKILL');
    while (alive(pid)) await sleep(100);
    rmSync(this.pidPath, { force: true });
    return true;
  }

  /** SIGKILL to its whole group, as in a crash: nothing is flushed or closed. Resolves once it is gone. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid) await killGroup(pid);
  }

  /** The log's current size, to read what comes after it with {@link logSince}. */
  logSize(): number {
    try {
      return statSync(this.logPath).size;
    } catch {
      return 0;
    }
  }

  /** What the log gained after `offset`. */
  logSince(offset: number): string {
    const size = this.logSize();
    if (size <= offset) return '';
    const buffer = Buffer.alloc(size - offset);
    const fd = openSync(this.logPath, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, offset);
    } finally {
      closeSync(fd);
    }
    return buffer.toString('utf8');
  }

  /** The last lines of the log, for error messages. */
  tail(lines = 15): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log yet)';
    }
  }
}
