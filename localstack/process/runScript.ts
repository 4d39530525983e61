import { spawn } from 'node:child_process';

export interface ScriptRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs one of the repository's TypeScript entry points in a Node process
 * (through tsx), as a user would run the tool, and collects its output.
 *
 * @example
 * const run = await runScript('clients/fetchdata.ts', ['--api', url, '--tenant', 'zoo', '--dir', dir], { MYSIMBDP_PASSWORD: password });
 */
export function runScript(script: string, args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.end(input ?? '');
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
