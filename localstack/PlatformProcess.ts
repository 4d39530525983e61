import { join } from 'node:path';
import { ManagedProcess } from './process/ManagedProcess';
import { isPortOpen, waitUntil } from './process/net';
import { localEnvironment, PLATFORM_PORTS, type LocalStage, type PlatformPorts } from './localEnvironment';
import { logFile, pidFile, repoRoot } from './paths';

/**
 * The platform's own processes for a local stage: `serverless offline` (the
 * HTTP API and the SQS-triggered functions, polling LocalStack) and the AMQP
 * bridge, each with its log under `.localcloud/logs/`.
 *
 * @example
 * const offline = new ServerlessOffline('local');
 * await offline.start();
 */
export class ServerlessOffline {
  readonly ports: PlatformPorts;
  readonly process: ManagedProcess;

  constructor(
    readonly stage: LocalStage,
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.ports = PLATFORM_PORTS[stage];
    this.process = new ManagedProcess(`serverless-offline-${stage}`, pidFile(`serverless-offline-${stage}`), logFile(`platform-${stage}`));
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  async start(timeoutMs = 180_000): Promise<void> {
    if (await isPortOpen(this.ports.http)) {
      throw new Error(`port ${this.ports.http} is taken: is the platform of stage ${this.stage} already running? (\`ss -ltnp | grep :${this.ports.http}\`)`);
    }
    this.process.start(process.execPath, [join(repoRoot, 'node_modules', 'osls', 'bin', 'serverless.js'), 'offline', 'start', '--stage', this.stage], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...localEnvironment(this.stage),
        MYSIMBDP_HTTP_PORT: String(this.ports.http),
        MYSIMBDP_LAMBDA_PORT: String(this.ports.lambda),
        SLS_TELEMETRY_DISABLED: '1',
        SLS_NOTIFICATIONS_MODE: 'off',
        ...this.extraEnv,
      },
    });
    try {
      await waitUntil(
        async () => {
          const response = await fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(5000) });
          return response.status === 200;
        },
        { timeoutMs, intervalMs: 1000, stillRunning: () => this.process.pid() !== undefined, what: `serverless offline (stage ${this.stage})` },
      );
    } catch (error) {
      await this.process.stop();
      throw new Error(`${(error as Error).message}; read ${this.process.logPath}. Last lines:\n${this.process.tail(25)}`, { cause: error });
    }
  }

  stop(): Promise<boolean> {
    return this.process.stop(15_000);
  }
}
