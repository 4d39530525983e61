import amqp from 'amqplib';
import type cassandra from 'cassandra-driver';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { amqpUrl } from '../../layers/platform/src/amqp/amqpUrl';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { amqpUser, api, config, connectCassandra, runCli, waitFor } from '../helpers/testPlatform';

describe('the operator CLI `tenants`', () => {
  let folder: string;
  let client: cassandra.Client;
  const tenants = (args: string[], env: Record<string, string> = {}) =>
    runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, ...args], env);
  const canLogIn = async (password: string) => (await api('POST', '/auth/login', { tenant: 'opsdemo', password })).status === 200;
  const amqpLogin = (secret: string) =>
    amqp.connect(amqpUrl(config.amqp.url, amqpUser('opsdemo'), secret, config.amqp.vhost)).then(
      async (connection) => {
        await connection.close();
        return true;
      },
      () => false,
    );

  beforeAll(async () => {
    folder = await tenantsFolder();
    client = await connectCassandra();
  });

  afterAll(async () => {
    await client.shutdown();
  });

  it('refuses a profile with a bad value, naming the field, and writes nothing', async () => {
    const run = await tenants(['add', 'badsize', '--display-name', 'x', '--max-file-size', '10 potatoes'], { MYSIMBDP_NEW_PASSWORD: 'long-enough-password' });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/batch\.maxFileSize: a size is a number and a unit/);
    await expect(stat(join(folder, 'badsize'))).rejects.toThrow();
    expect((await tenants(['add', 'Bad/Id', '--display-name', 'x'], { MYSIMBDP_NEW_PASSWORD: 'long-enough-password' })).stderr).toMatch(/is not a tenant id/);
    expect((await tenants(['add', 'shortpw', '--display-name', 'x'], { MYSIMBDP_NEW_PASSWORD: 'short' })).stderr).toMatch(/at least 12 characters/);
  });

  it('adds a tenant with hashed credentials, provisions it, and lists it', async () => {
    const secret = await addTenant(folder, 'opsdemo', 'first-password-123', ['--max-file-size', '1 MiB', '--formats', 'csv']);
    const credentials = await readFile(join(folder, 'opsdemo', 'credentials.json'), 'utf8');
    expect(credentials).not.toContain('first-password-123');
    expect(credentials).not.toContain(secret);
    expect(JSON.parse(await readFile(join(folder, 'opsdemo', 'profile.json'), 'utf8'))).toMatchObject({
      tenant: 'opsdemo',
      keyspace: 'tenant_opsdemo',
      batch: { maxFileSize: '1 MiB' },
    });
    const keyspace = await client.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'test_tenant_opsdemo'");
    expect(keyspace.rowLength).toBe(1);
    await waitFor('the new tenant to log in', async () => ((await canLogIn('first-password-123')) ? true : undefined));
    expect(await amqpLogin(secret)).toBe(true);
    const list = await tenants(['list']);
    expect(list.stdout).toMatch(/opsdemo\s+│ active\s+│ tenant_opsdemo\s+│ 1 MiB\s+│ 10\s+│ csv\s+│ 4 chunk invocations\s+│ yes\s+│ 0 \/ 4, 0 queued/);
    expect((await tenants(['add', 'opsdemo', '--display-name', 'again'], { MYSIMBDP_NEW_PASSWORD: 'another-password-1' })).stderr).toMatch(/already exists/);
  });

  it('rotates the password and the AMQP secret', async () => {
    expect((await tenants(['set-password', 'opsdemo'], { MYSIMBDP_NEW_PASSWORD: 'second-password-456' })).status).toBe(0);
    // Polling with a password not yet valid would count as failed logins and lock the tenant out: wait for the cache instead.
    await sleep((config.tenantCacheSeconds + 1) * 1000);
    expect(await canLogIn('second-password-456')).toBe(true);
    expect(await canLogIn('first-password-123')).toBe(false);
    const rotated = await tenants(['rotate-amqp-secret', 'opsdemo']);
    const secret = /AMQP secret of tenant opsdemo .*: (\S+)$/m.exec(rotated.stdout)?.[1] as string;
    expect(await amqpLogin(secret)).toBe(true);
  });

  it('removes a tenant: no login, no AMQP user, no keyspace with --purge-data', async () => {
    const run = await tenants(['remove', 'opsdemo', '--purge-data']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/removed from the tenant registry/);
    await waitFor('logins to be refused', async () => ((await canLogIn('second-password-456')) ? undefined : true));
    const keyspace = await client.execute("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'test_tenant_opsdemo'");
    expect(keyspace.rowLength).toBe(0);
    await expect(stat(join(folder, 'opsdemo'))).rejects.toThrow();
  });
});
