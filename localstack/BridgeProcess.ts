import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedProcess } from './process/ManagedProcess';
import { localEnvironment, type LocalStage } from './localEnvironment';
import { logFile, pidFile, repoRoot } from './paths';

/**
 * The AMQP bridge of a local stage as its own process (as on AWS, where it
 * runs as a container service), logging to `.localcloud/logs/bridge-<stage>.log`.
 *
 * @example
 * const bridge = new BridgeProcess('local');
 * await bridge.start();
 */
export class BridgeProcess {
  readonly process: ManagedProcess;

  constructor(
    readonly stage: LocalStage,
    name = `bridge-${stage}`,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.process = new ManagedProcess(name, pidFile(name), logFile(name));
  }

  async start(): Promise<void> {
    const offset = this.process.logSize();
    this.process.start(process.execPath, ['--import', 'tsx', join(repoRoot, 'bridge', 'main.ts')], {
      cwd: repoRoot,
      env: { ...process.env, ...localEnvironment(this.stage), ...this.extraEnv },
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (!this.process.pid()) throw new Error(`the AMQP bridge exited; read ${this.process.logPath}:\n${this.process.tail()}`);
      if (this.process.logSince(offset).includes('"bridge started"')) return;
      await sleep(250);
    }
    throw new Error(`the AMQP bridge did not start within 60 s; read ${this.process.logPath}`);
  }

  /** SIGTERM: the bridge forwards what it holds, then exits. */
  stop(): Promise<boolean> {
    return this.process.stop(30_000);
  }

  /** SIGKILL, as in a crash: nothing is flushed, RabbitMQ redelivers what was unacknowledged. */
  kill(): Promise<void> {
    return this.process.kill();
  }
}
