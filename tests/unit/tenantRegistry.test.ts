import { readFileSync } from 'node:fs';
import { KeyspaceSchema, SchemaConflictError } from '../../layers/platform/src/cassandra/KeyspaceSchema';
import { ConfigurationError } from '../../layers/platform/src/errors';
import type { TenantCredentials } from '../../layers/platform/src/tenants/TenantCredentials';
import { CassandraTenantRegistry } from '../../layers/platform/src/tenants/TenantRegistry';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';
import { tenantProfile } from './fakes/FakeTenantRegistry';

const credentials = readFileSync('tenants/zoo/credentials.json', 'utf8');

function setUp(cacheSeconds = 5) {
  const client = new FakeCassandraClient();
  const rows = [
    { tenant: 'zoo', profile: JSON.stringify(tenantProfile('zoo')), credentials },
    { tenant: 'shop', profile: JSON.stringify(tenantProfile('shop', { status: 'disabled' })), credentials },
  ];
  client.answer(/^SELECT tenant, profile, credentials FROM/, (statement) =>
    statement.query.includes('WHERE tenant = ?') ? rows.filter((row) => row.tenant === statement.params[0]) : rows,
  );
  client.answer(/^SELECT profile, credentials FROM .* WHERE tenant = \?/, (statement) => rows.filter((row) => row.tenant === statement.params[0]));
  return { client, rows, registry: new CassandraTenantRegistry(client.asClient(), 'unit_mysimbdp', cacheSeconds) };
}

describe('the tenant registry', () => {
  it('reads every tenant once per cache period, sorted by id', async () => {
    const { client, registry } = setUp();
    expect((await registry.list()).map((tenant) => [tenant.id, tenant.profile.status])).toEqual([
      ['shop', 'disabled'],
      ['zoo', 'active'],
    ]);
    expect((await registry.get('zoo'))?.profile.keyspace).toBe('tenant_zoo');
    expect(await registry.get('nobody')).toBeUndefined();
    expect(client.statements).toHaveLength(1);
    await registry.list({ fresh: true });
    expect(client.statements).toHaveLength(2);
  });

  it('reads one tenant by its partition, never by a scan, once per cache period, an unknown one too', async () => {
    const { client, registry } = setUp();
    expect((await registry.get('zoo'))?.profile.keyspace).toBe('tenant_zoo');
    expect(await registry.get('nobody')).toBeUndefined();
    expect(await registry.get('zoo')).toBeDefined();
    expect(await registry.get('nobody')).toBeUndefined();
    expect(client.statements.map((statement) => [statement.query, statement.params])).toEqual([
      ['SELECT tenant, profile, credentials FROM unit_mysimbdp.tenants WHERE tenant = ?', ['zoo']],
      ['SELECT tenant, profile, credentials FROM unit_mysimbdp.tenants WHERE tenant = ?', ['nobody']],
    ]);
  });

  it('reads again on every call without a cache', async () => {
    const { client, registry } = setUp(0);
    await registry.get('zoo');
    await registry.get('zoo');
    expect(client.statements).toHaveLength(2);
  });

  it('validates a profile before writing it, and forgets its cache after a change', async () => {
    const { client, registry } = setUp();
    await registry.get('zoo');
    await expect(registry.put('zoo', { ...tenantProfile('zoo'), keyspace: 'Bad Name' }, JSON.parse(credentials) as TenantCredentials)).rejects.toBeInstanceOf(
      ConfigurationError,
    );
    expect(client.matching(/^INSERT/)).toEqual([]);
    const shop = await registry.setStatus('shop', 'active');
    const [insert] = client.matching(/^INSERT/);
    expect(insert?.query).toBe('INSERT INTO unit_mysimbdp.tenants (tenant, profile, credentials, updated_at) VALUES (?, ?, ?, ?)');
    expect(insert?.params[0]).toBe('shop');
    expect((JSON.parse(insert?.params[1] as string) as { status: string }).status).toBe('active');
    // The cache was dropped: the tenant is read again (the fake's rows still say disabled).
    expect(shop?.profile.status).toBe('disabled');
    expect(await registry.setStatus('nobody', 'active')).toBeUndefined();
    await registry.remove('zoo');
    expect(client.matching(/^DELETE/)[0]).toMatchObject({ query: 'DELETE FROM unit_mysimbdp.tenants WHERE tenant = ?', params: ['zoo'] });
  });
});

describe("a tenant keyspace's tables", () => {
  const readings = {
    name: 'readings',
    columns: { id: 'text', t: 'double', note: 'text' },
    partitionKey: ['id'],
    clusteringKey: [{ column: 't', order: 'ASC' }],
  } as const;

  it('creates a missing table', async () => {
    const client = new FakeCassandraClient();
    await new KeyspaceSchema(client.asClient(), 'tenant_zoo').ensureTables([readings]);
    expect(client.statements.map((statement) => statement.query)).toEqual([expect.stringMatching(/^CREATE TABLE IF NOT EXISTS tenant_zoo\.readings \(/)]);
  });

  it('adds the columns a table lacks, and takes a column another function added a moment ago', async () => {
    const client = new FakeCassandraClient();
    client.defineTable('tenant_zoo', {
      name: 'readings',
      columns: { id: 'text', t: 'double' },
      partitionKey: ['id'],
      clusteringKey: [{ column: 't', order: 'ASC' }],
    });
    client.failWhen(() => new Error('Invalid column name note because it conflicts with an existing column'));
    const schema = new KeyspaceSchema(client.asClient(), 'tenant_zoo');
    await schema.ensureTables([readings]);
    expect(client.statements.map((statement) => statement.query)).toEqual(['ALTER TABLE tenant_zoo.readings ADD note text']);
    expect(await schema.existingColumns('readings')).toEqual({ id: 'text', t: 'double' });
    client.failWhen(() => new Error('Unauthorized'));
    await expect(schema.ensureTables([readings])).rejects.toThrow('Unauthorized');
  });

  it('refuses a table whose primary key differs', async () => {
    const client = new FakeCassandraClient();
    client.defineTable('tenant_zoo', { ...readings, clusteringKey: [] });
    await expect(new KeyspaceSchema(client.asClient(), 'tenant_zoo').ensureTables([readings])).rejects.toEqual(
      new SchemaConflictError('table tenant_zoo.readings already exists with primary key (id); this file needs (id,t): rename the file or drop the table'),
    );
  });
});
