import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BridgeProcess } from './BridgeProcess';
import { LocalCloud } from './LocalCloud';
import { localSupervision } from './localSupervision';
import { ServerlessOffline } from './PlatformProcess';
import type { ManagedProcess } from './process/ManagedProcess';
import { provisionLocal } from './provisionLocal';
import type { Supervisor } from './Supervisor';
import { repoRoot } from './paths';
import { localSecrets } from './secrets';

/**
 * `npm start`: installs what is missing, starts the local cloud and the
 * platform (serverless offline and the AMQP bridge) with the demo tenants, in
 * the foreground with their logs, and stops everything it started on Ctrl-C.
 * Meanwhile it supervises them: a service or platform process that dies is
 * named, restarted, given back what it lost, and the platform carries on.
 */
const say = (message: string): void => console.log(`[mysimbdp] ${message}`);
const cloud = new LocalCloud();
const offline = new ServerlessOffline('local');
const bridge = new BridgeProcess('local');
let started: string[] = [];
let supervisor: Supervisor | undefined;
let stopping: Promise<never> | undefined;

/** Stops what `npm start` started, once, however many signals arrive. */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    say('stopping...');
    supervisor?.stop();
    await bridge.stop().catch(() => undefined);
    await offline.stop().catch(() => undefined);
    const stopped = await cloud.stop(started).catch(() => []);
    say(`stopped the platform${stopped.length ? ` and ${stopped.join(', ')}` : ''}`);
    process.exit(code);
  })();
  return stopping;
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Prints what the platform's processes log, as they log it (a restarted process appends to the same log). */
async function follow(processes: Array<{ label: string; process: ManagedProcess }>): Promise<void> {
  const offsets = processes.map(({ process }) => process.logSize());
  for (;;) {
    processes.forEach(({ label, process }, index) => {
      const text = process.logSince(offsets[index] as number);
      offsets[index] = (offsets[index] as number) + Buffer.byteLength(text);
      for (const line of text.split('\n')) if (line.trim()) console.log(`[${label}] ${line}`);
    });
    await sleep(500);
  }
}

try {
  const begin = Date.now();
  started = await cloud.start(say);
  await provisionLocal('local', say);
  // The command-line tools and the dashboard, fresh from their sources (the dashboard function bundles the page).
  if (spawnSync(process.execPath, [join(repoRoot, 'clients', 'buildBins.mjs')], { cwd: repoRoot, stdio: 'inherit' }).status !== 0) {
    throw new Error('building the tools and the dashboard failed (clients/buildBins.mjs); see above');
  }
  say('starting serverless offline (bundling the functions with esbuild)...');
  await offline.start();
  await bridge.start();
  say(`ready in ${Math.round((Date.now() - begin) / 1000)} s
  dashboard                  ${offline.apiUrl}/       operator password ${localSecrets().operatorPassword}
  API (serverless offline)   ${offline.apiUrl}       health: ${offline.apiUrl}/health
  S3 and SQS (LocalStack)    http://127.0.0.1:4566        bucket mysimbdp-local-ingest
  Cassandra (CQL)            127.0.0.1:9042               keyspaces mysimbdp, tenant_zoo, tenant_shop
  RabbitMQ (AMQP)            amqp://127.0.0.1:5672/mysimbdp-local   management http://127.0.0.1:15672
  demo tenants               zoo (password zoo-demo-password), shop (password shop-demo-password); AMQP secrets in docs/tenants.md
  try                        MYSIMBDP_PASSWORD=zoo-demo-password npm run fetchdata -- --api ${offline.apiUrl} --tenant zoo --dir clients/demo-input/zoo
  logs                       .localcloud/logs/ (platform-local.log, bridge-local.log, cassandra.log, localstack.log, rabbitmq.log)
  supervised                 ${[...started, 'serverless offline', 'bridge'].join(', ')}: restarted if they die
  stop                       Ctrl-C`);
  supervisor = localSupervision({ cloud, started, offline, bridge }, say);
  supervisor.watch();
  await follow([
    { label: 'platform', process: offline.process },
    { label: 'bridge', process: bridge.process },
  ]);
} catch (error) {
  console.error(`[mysimbdp] ${(error as Error).message}`);
  await stopAll(1);
}
