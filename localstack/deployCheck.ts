import { DeployCheck } from './deployCheck/DeployCheck';

/**
 * `npm run deploy:check`: packages the stack, deploys it with CloudFormation
 * into a second LocalStack (127.0.0.1:4599, started and stopped here, data
 * deleted after), the function resources set aside, exercises what was
 * deployed, and compares it with what the local provisioning makes from the
 * same topology. Exits 1 on any problem.
 */
const say = (message: string): void => console.log(`[deploy:check] ${message}`);
const check = new DeployCheck(say);
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    const stopped = await check.tearDown().catch((error: Error) => {
      say(`cleaning up: ${error.message}`);
      return false;
    });
    if (stopped) say(`stopped LocalStack on ${check.localstack.endpoint} and deleted its data`);
  }
  process.exit(code);
}

process.on('SIGINT', () => void stop(130));
process.on('SIGTERM', () => void stop(143));

async function main(): Promise<number> {
  const begin = Date.now();
  try {
    await check.setUp();
  } catch (error) {
    say(`the stack could not be deployed: ${(error as Error).message}`);
    return 1;
  }
  const results = await check.run();
  const failed = results.filter((result) => result.problems.length);
  console.log('');
  console.log(`Deploy check of stack ${check.stackName} (${Math.round((Date.now() - begin) / 1000)} s)`);
  const deployed = check.deployed;
  if (deployed) {
    console.log(
      `  deployed by CloudFormation: ${Object.keys(deployed.template.Resources).length} resources; set aside: ${deployed.setAside.length} function resources`,
    );
    for (const standIn of deployed.standIns)
      console.log(`  stand-in: ${standIn.resource} refers to ${standIn.setAside} (set aside) as "${standIn.placeholder}"`);
  }
  for (const result of results) {
    console.log(`  ${result.problems.length ? 'FAIL' : 'ok  '} ${result.name}`);
    for (const problem of result.problems) console.log(`         - ${problem}`);
  }
  for (const note of check.notes) console.log(`  note: ${note}`);
  console.log(failed.length ? `${failed.length} of ${results.length} checks failed` : `all ${results.length} checks passed`);
  return failed.length ? 1 : 0;
}

void main().then(stop, (error: Error) => {
  say(error.message);
  return stop(1);
});
