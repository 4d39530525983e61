import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedProcess } from '../process/ManagedProcess';
import { alive, killGroup } from '../process/signals';
import { isPortOpen, waitUntil } from '../process/net';
import { logFile, pidFile } from '../paths';
import type { LocalService, ServiceStatus } from './LocalService';

export class ServiceStartError extends Error {
  override readonly name = 'ServiceStartError';
}

/**
 * The start/stop/status logic every local service shares: refuse a port
 * taken by something else, spawn, wait for a real answer, and on failure say
 * which service, why, and which log to read.
 */
export abstract class ProcessService implements LocalService {
  abstract readonly name: string;
  abstract readonly description: string;
  /** The port that must be free before starting (and that the service listens on). */
  protected abstract readonly port: number;
  /** The address it listens on (each node of a local cluster has its own loopback address). */
  protected readonly host: string = '127.0.0.1';
  protected abstract readonly startTimeoutMs: number;
  protected process!: ManagedProcess;

  protected init(): void {
    this.process = new ManagedProcess(this.name, pidFile(this.name), logFile(this.name));
  }

  get logFile(): string {
    return this.process.logPath;
  }

  /** Where installs write their output (downloads, package managers). */
  get installLog(): string {
    return logFile(`${this.name}-install`);
  }

  abstract installed(): boolean;
  abstract install(progress: (message: string) => void): Promise<void>;
  abstract serving(): Promise<boolean>;
  /** Spawns the service's process (already installed, port free). */
  protected abstract spawn(): void;

  /** The pid of the service's own process, if it runs (the process the local cloud started, unless a subclass knows better). */
  runningPid(): number | undefined {
    return this.process.pid();
  }

  /** `serving()`, with any error meaning no. */
  protected servingNow(): Promise<boolean> {
    return this.serving().catch(() => false);
  }

  /** {@link start}, saying how long it took and where the log is, or that it already ran; returns whether it started it. */
  async startSaying(progress: (message: string) => void): Promise<boolean> {
    const begin = Date.now();
    const started = await this.start();
    progress(started ? `${this.name}: started in ${((Date.now() - begin) / 1000).toFixed(1)} s (log: ${this.logFile})` : `${this.name}: already running`);
    return started;
  }

  async start(): Promise<boolean> {
    if (await this.servingNow()) return false;
    if (!this.installed()) throw new ServiceStartError(`${this.name} is not installed; run \`npm run localcloud -- install\``);
    if (!this.runningPid() && (await isPortOpen(this.port, this.host))) {
      throw new ServiceStartError(
        `${this.name} cannot start: port ${this.port} on ${this.host} is taken by another process (find it with \`ss -ltnp | grep ${this.host}:${this.port}\`)`,
      );
    }
    if (!this.runningPid()) this.spawn();
    try {
      await waitUntil(() => this.servingNow(), {
        timeoutMs: this.startTimeoutMs,
        intervalMs: 1000,
        stillRunning: () => this.runningPid() !== undefined,
        what: this.name,
      });
    } catch (error) {
      throw new ServiceStartError(`${(error as Error).message}; read ${this.logFile}. Last lines:\n${this.process.tail()}`, { cause: error });
    }
    await this.ready();
    return true;
  }

  /** What a service needs once it serves, after every start (idempotent): Cassandra's roles, say. */
  protected async ready(): Promise<void> {}

  stop(): Promise<boolean> {
    return this.process.stop();
  }

  /**
   * SIGKILL, as in a crash (fault tests): nothing is flushed. Resolves once
   * nothing of the service runs any more (a wrapper whose child was killed
   * exits after it; if it does not within 10 s, it is killed too).
   */
  async kill(): Promise<void> {
    const pid = this.runningPid();
    if (!pid) return;
    await killGroup(pid);
    const deadline = Date.now() + 10_000;
    while (this.runningPid() && Date.now() < deadline) await sleep(50);
    const wrapper = this.runningPid();
    if (wrapper) {
      process.kill(wrapper, 'SIGKILL');
      while (alive(wrapper)) await sleep(50);
    }
  }

  async status(): Promise<ServiceStatus> {
    const started = performance.now();
    const serving = await this.servingNow();
    return {
      installed: this.installed(),
      pid: this.runningPid(),
      serving,
      latencyMs: serving ? Math.round(performance.now() - started) : undefined,
    };
  }
}
