import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, runCli, waitFor } from './testPlatform';

/**
 * A copy of `tenants/` in a temporary folder, where a test adds the tenants it
 * needs with the `tenants` CLI (stage test), leaving the repository untouched.
 */
export async function tenantsFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'mysimbdp-tenants-'));
  await cp('tenants', folder, { recursive: true });
  return folder;
}

/** Adds and provisions a tenant with the operator CLI; returns its AMQP secret. */
export async function addTenant(folder: string, id: string, password: string, flags: string[] = []): Promise<string> {
  const run = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'add', id, '--display-name', `test tenant ${id}`, ...flags], {
    MYSIMBDP_NEW_PASSWORD: password,
  });
  if (run.status !== 0) throw new Error(`tenants add ${id} failed (${run.status}): ${run.stderr}${run.stdout}`);
  const secret = /AMQP secret of tenant \S+ .*: (\S+)$/m.exec(run.stdout)?.[1];
  if (!secret) throw new Error(`no AMQP secret in: ${run.stdout}`);
  return secret;
}

/** Logs a tenant in once the platform serves it (a tenant just added takes a moment to reach every function); its token. */
export function tokenOnceServed(tenant: string, password: string): Promise<string> {
  return waitFor('the new tenant to log in', async () => {
    const reply = await api('POST', '/auth/login', { tenant, password });
    return reply.status === 200 ? (reply.body.token as string) : undefined;
  });
}
