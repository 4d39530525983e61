import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repoRoot } from '../paths';
import type { CfnTemplate } from './deployableTemplate';

/**
 * `serverless package --stage <stage> --package <folder>`, as an operator runs
 * it before `serverless deploy` (esbuild bundles each function): resolves with
 * the CloudFormation template it wrote, rejects with serverless' output if it
 * fails or takes longer than `timeoutMs` (a failed build can leave it hanging).
 *
 * @example
 * const template = await packageStack('ci', folder, withoutAwsVariables()); // as for AWS: no AWS_* variable
 */
export async function packageStack(stage: string, folder: string, env: NodeJS.ProcessEnv, timeoutMs = 240_000): Promise<CfnTemplate> {
  const child = spawn(process.execPath, [join(repoRoot, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', stage, '--package', folder], {
    cwd: repoRoot,
    env: { ...env, SLS_TELEMETRY_DISABLED: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', HOME: folder },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killGroup = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    output += `\n(stopped after ${Math.round(timeoutMs / 1000)} s)`;
    killGroup();
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    // 'exit', not 'close': esbuild's service, a child of its own, may hold the pipes open.
    child.on('exit', (exitCode) => resolve(exitCode));
  }).finally(() => clearTimeout(timer));
  // esbuild's service process is in the same group: nothing of the packaging outlives it.
  killGroup();
  if (code !== 0) throw new Error(`serverless package --stage ${stage} failed:\n${output.trim()}`);
  return JSON.parse(await readFile(join(folder, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
}
