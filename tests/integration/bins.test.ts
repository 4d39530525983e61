import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiUrl } from '../helpers/testPlatform';

function runBin(tool: string, args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(`dist/bin/${tool}.mjs`, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe("the package's command-line tools (bin)", () => {
  it.each(['fetchdata', 'ingestmessage', 'tenants'])('%s runs standalone and explains itself', async (tool) => {
    const run = await runBin(tool, ['--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: ${tool} `));
  });

  it('fetchdata talks to the platform and says what went wrong', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bin-'));
    await writeFile(join(dir, 'a.csv'), 'a\n1\n');
    const wrong = await runBin('fetchdata', ['--api', apiUrl, '--tenant', 'zoo', '--dir', dir], { MYSIMBDP_PASSWORD: 'not-it' });
    expect(wrong.status).toBe(3);
    expect(wrong.stderr).toBe('fetchdata: wrong tenant id or password\n');
    const down = await runBin('fetchdata', ['--api', 'http://127.0.0.1:9', '--tenant', 'zoo', '--dir', dir], { MYSIMBDP_PASSWORD: 'x' });
    expect(down.status).toBe(4);
    expect(down.stderr).toMatch(/the platform API at http:\/\/127\.0\.0\.1:9 is unreachable .*; is it running\?/);
    await rm(dir, { recursive: true });
  });
});
