import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCloud } from './LocalCloud';
import { localEnvironment } from './localEnvironment';
import { ServerlessOffline } from './PlatformProcess';
import { repoRoot } from './paths';
import { provisionLocal } from './provisionLocal';
import { resetLocalStage } from './resetLocalStage';

/**
 * `npm test`: installs what is missing, starts the services that are not
 * running, gives the `test` stage a clean slate, type-checks, starts the
 * platform (serverless offline on port 3100), runs every jest test (arguments
 * are passed to jest), and stops what it started.
 */
const say = (message: string): void => console.log(`[test] ${message}`);
const cloud = new LocalCloud();
const offline = new ServerlessOffline('test');
let started: string[] = [];
/** Where the tools the tests run keep their device tokens: a folder of this run, not the user's configuration. */
const devicesDir = mkdtempSync(join(tmpdir(), 'mysimbdp-test-devices-'));

async function cleanUp(): Promise<void> {
  rmSync(devicesDir, { recursive: true, force: true });
  await offline.stop().catch(() => undefined);
  const stopped = await cloud.stop(started).catch(() => []);
  if (stopped.length) say(`stopped ${stopped.join(', ')}`);
}

process.on('SIGINT', () => void cleanUp().then(() => process.exit(130)));

/** tsc --noEmit on the project, and on the dashboard (a browser program) with its own tsconfig. */
function typesCheck(): boolean {
  say('type-checking (tsc --noEmit; the dashboard, a browser program, on its own)');
  const typecheck = [repoRoot, join(repoRoot, 'clients', 'dashboard')].map((project) =>
    spawnSync(process.execPath, [join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project, '--noEmit'], { stdio: 'inherit' }),
  );
  return typecheck.every((check) => check.status === 0);
}

async function main(): Promise<number> {
  const begin = Date.now();
  started = await cloud.start(say);
  await resetLocalStage('test');
  await provisionLocal('test', say);
  // The tools and the dashboard first: the dashboard function imports the built page.
  spawnSync(process.execPath, [join(repoRoot, 'clients', 'buildBins.mjs')], { cwd: repoRoot, stdio: 'inherit' });
  // .ci/run has type-checked the same tree just before (and says so): no need to do it twice.
  if (process.env.MYSIMBDP_TYPES_CHECKED === '1') say('types already checked by the caller');
  else if (!typesCheck()) {
    say('type errors: fix them first');
    return 1;
  }
  say('starting serverless offline for stage test');
  await offline.start();
  say(`services and platform ready in ${Math.round((Date.now() - begin) / 1000)} s; running jest`);
  // --forceExit: the run holds the machine's test lock, so jest must end with its last test even if a client of a
  // restarted service (a fault test stops Cassandra) left a handle open.
  const jest = spawn(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--no-warnings=ExperimentalWarning',
      join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
      '--forceExit',
      ...process.argv.slice(2),
    ],
    {
      cwd: repoRoot,
      stdio: 'inherit',
      env: { ...process.env, ...localEnvironment('test'), MYSIMBDP_API_URL: offline.apiUrl, MYSIMBDP_DEVICES_FILE: join(devicesDir, 'devices.json') },
    },
  );
  return new Promise((resolve) => jest.on('exit', (code) => resolve(code ?? 1)));
}

void main()
  .catch((error: Error) => {
    console.error(`[test] ${error.message}`);
    return 1;
  })
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  });
