import { ManagedProcess } from '../process/ManagedProcess';
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

  abstract installed(): Promise<boolean>;
  abstract install(progress: (message: string) => void): Promise<void>;
  abstract serving(): Promise<boolean>;
  /** Spawns the service's process (already installed, port free). */
  protected abstract spawn(): Promise<void>;

  /** `serving()`, with any error meaning no. */
  protected servingNow(): Promise<boolean> {
    return this.serving().catch(() => false);
  }

  async start(): Promise<boolean> {
    if (await this.servingNow()) return false;
    if (!(await this.installed())) throw new ServiceStartError(`${this.name} is not installed; run \`npm run localcloud -- install\``);
    if (!this.process.pid() && (await isPortOpen(this.port))) {
      throw new ServiceStartError(
        `${this.name} cannot start: port ${this.port} on 127.0.0.1 is taken by another process (find it with \`ss -ltnp | grep :${this.port}\`)`,
      );
    }
    if (!this.process.pid()) await this.spawn();
    try {
      await waitUntil(() => this.servingNow(), {
        timeoutMs: this.startTimeoutMs,
        intervalMs: 1000,
        stillRunning: () => this.process.pid() !== undefined,
        what: this.name,
      });
    } catch (error) {
      throw new ServiceStartError(`${(error as Error).message}; read ${this.logFile}. Last lines:\n${this.process.tail()}`);
    }
    return true;
  }

  stop(): Promise<boolean> {
    return this.process.stop();
  }

  async status(): Promise<ServiceStatus> {
    const started = performance.now();
    const serving = await this.servingNow();
    return {
      installed: await this.installed(),
      pid: this.process.pid(),
      serving,
      latencyMs: serving ? Math.round(performance.now() - started) : undefined,
    };
  }
}
