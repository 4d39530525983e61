import amqp from 'amqplib';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { alive } from '../process/signals';
import { aptInstall, output } from '../process/run';
import { localCloudDir } from '../paths';
import { localSecrets } from '../secrets';
import { ProcessService } from './ProcessService';

const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
export const RABBITMQ_ADMIN_USER = 'mysimbdp-admin';

/**
 * RabbitMQ from Debian's `rabbitmq-server` package, run as the current user
 * with its node data, logs and Erlang cookie inside the local cloud folder:
 * AMQP on 127.0.0.1:5672 and the management API (used for provisioning) on
 * 127.0.0.1:15672.
 *
 * The process the local cloud starts is Debian's wrapper script
 * (`rabbitmq-server`), which runs the broker (Erlang's `beam.smp`) as a
 * child. The broker is what matters: its pid comes from the pid file the broker
 * writes (`RABBITMQ_PID_FILE`), so `status` shows it and `stop` stops it even
 * when the wrapper is gone.
 */
export class RabbitMqService extends ProcessService {
  readonly name = 'rabbitmq';
  readonly description = 'RabbitMQ (Debian package): AMQP on 127.0.0.1:5672, management API on http://127.0.0.1:15672';
  protected readonly port = 5672;
  protected readonly startTimeoutMs = 120_000;
  private readonly home = join(localCloudDir, 'rabbitmq');
  private readonly brokerPidFile = join(this.home, 'rabbitmq.pid');

  constructor() {
    super();
    this.init();
  }

  installed(): boolean {
    return existsSync(RABBITMQ_SERVER);
  }

  async install(progress: (message: string) => void): Promise<void> {
    if (this.installed()) return;
    progress('rabbitmq: installing rabbitmq-server from Debian with apt-get');
    await aptInstall(['rabbitmq-server'], this.installLog);
  }

  private environment(): NodeJS.ProcessEnv {
    const data = join(localCloudDir, 'data', 'rabbitmq');
    return {
      ...process.env,
      HOME: this.home,
      RABBITMQ_HOME: '/usr/lib/rabbitmq',
      RABBITMQ_NODENAME: 'mysimbdp@localhost',
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: '5672',
      RABBITMQ_DIST_PORT: '25672',
      RABBITMQ_MNESIA_BASE: join(data, 'mnesia'),
      RABBITMQ_LOG_BASE: join(data, 'log'),
      RABBITMQ_CONFIG_FILE: join(this.home, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.home, 'enabled_plugins'),
      RABBITMQ_PID_FILE: this.brokerPidFile,
      RABBITMQ_LOGS: '-',
      ERL_EPMD_ADDRESS: '127.0.0.1',
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    };
  }

  protected spawn(): void {
    const { rabbitAdminPassword } = localSecrets();
    mkdirSync(this.home, { recursive: true });
    writeFileSync(
      join(this.home, 'rabbitmq.conf'),
      `# Written by localstack/services/RabbitMqService.ts
listeners.tcp.default = 127.0.0.1:5672
management.tcp.ip = 127.0.0.1
management.tcp.port = 15672
loopback_users = none
default_user = ${RABBITMQ_ADMIN_USER}
default_pass = ${rabbitAdminPassword}
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
disk_free_limit.absolute = 200MB
`,
      { mode: 0o600 },
    );
    writeFileSync(join(this.home, 'enabled_plugins'), '[rabbitmq_management].\n');
    this.process.start(RABBITMQ_SERVER, [], { env: this.environment() });
  }

  async serving(): Promise<boolean> {
    const { rabbitAdminPassword } = localSecrets();
    const connection = await amqp.connect(`amqp://${RABBITMQ_ADMIN_USER}:${encodeURIComponent(rabbitAdminPassword)}@127.0.0.1:5672/`, { timeout: 2000 });
    await connection.close();
    const response = await fetch('http://127.0.0.1:15672/api/overview', {
      headers: { authorization: `Basic ${Buffer.from(`${RABBITMQ_ADMIN_USER}:${rabbitAdminPassword}`).toString('base64')}` },
      signal: AbortSignal.timeout(2000),
    });
    return response.ok;
  }

  /** The broker's pid (beam.smp), from the pid file it writes; else the wrapper's while the broker starts. */
  override runningPid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.brokerPidFile, 'utf8').trim());
      if (pid > 0 && alive(pid)) return pid;
    } catch {
      /* no broker pid file yet */
    }
    return this.process.pid();
  }

  /** Stops the wrapper's process group, then the broker itself if it outlived its wrapper (SIGTERM: RabbitMQ shuts down cleanly). */
  override async stop(): Promise<boolean> {
    let stopped = await super.stop();
    const broker = this.runningPid();
    if (broker) {
      process.kill(broker, 'SIGTERM');
      const deadline = Date.now() + 30_000;
      while (alive(broker) && Date.now() < deadline) await sleep(200);
      if (alive(broker)) process.kill(broker, 'SIGKILL');
      while (alive(broker)) await sleep(100);
      stopped = true;
    }
    rmSync(this.brokerPidFile, { force: true });
    // epmd was started by the node; stop it too unless another Erlang node still uses it.
    const names = output('epmd', ['-names']);
    if (stopped && names !== undefined && !/name \S+ at port/.test(names)) output('epmd', ['-kill']);
    return stopped;
  }
}
