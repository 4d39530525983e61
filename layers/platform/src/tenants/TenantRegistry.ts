import type cassandra from 'cassandra-driver';
import { cqlIdentifier } from '../cassandra/cql';
import type { Tenant } from './Tenant';
import type { TenantCredentials } from './TenantCredentials';
import type { TenantProfileInput } from './TenantProfile';
import { parseTenantFiles } from './parseTenantFiles';

/**
 * The tenants the running platform serves. Functions read it on every
 * request (through a short cache), so adding, disabling or re-profiling a
 * tenant takes effect without a redeploy.
 */
export interface TenantRegistry {
  get(id: string): Promise<Tenant | undefined>;
  /** Every tenant, by id; `fresh` reads past the cache (the operator's view shows what was just changed). */
  list(options?: { fresh?: boolean }): Promise<Tenant[]>;
  put(id: string, profile: TenantProfileInput, credentials: TenantCredentials): Promise<void>;
  /** Sets the profile's status, keeping the rest; undefined for an unknown tenant. */
  setStatus(id: string, status: 'active' | 'disabled'): Promise<Tenant | undefined>;
  remove(id: string): Promise<void>;
}

/**
 * The tenant registry in the platform keyspace (`tenants` table), with a
 * cache of `cacheSeconds` so that a busy function does not read it per record.
 *
 * @example
 * const registry = new CassandraTenantRegistry(client, 'mysimbdp', 5);
 * const tenant = await registry.get('zoo');
 */
export class CassandraTenantRegistry implements TenantRegistry {
  private cache: { at: number; tenants: Map<string, Tenant> } | undefined;
  private readonly table: string;

  constructor(
    private readonly client: cassandra.Client,
    keyspace: string,
    private readonly cacheSeconds = 5,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.tenants`;
  }

  private async load(fresh = false): Promise<Map<string, Tenant>> {
    const now = Date.now();
    if (!fresh && this.cache && now - this.cache.at < this.cacheSeconds * 1000) return this.cache.tenants;
    const result = await this.client.execute(`SELECT tenant, profile, credentials FROM ${this.table}`);
    const tenants = new Map<string, Tenant>();
    for (const row of result.rows) {
      const id = row.get('tenant') as string;
      tenants.set(id, parseTenantFiles(id, row.get('profile') as string, row.get('credentials') as string, `tenant registry/${id}`));
    }
    this.cache = { at: now, tenants };
    return tenants;
  }

  async get(id: string): Promise<Tenant | undefined> {
    return (await this.load()).get(id);
  }

  async list(options: { fresh?: boolean } = {}): Promise<Tenant[]> {
    return [...(await this.load(options.fresh)).values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async put(id: string, profile: TenantProfileInput, credentials: TenantCredentials): Promise<void> {
    // Validate before writing, so the registry never holds a profile the functions would refuse.
    parseTenantFiles(id, JSON.stringify(profile), JSON.stringify(credentials), `tenant ${id}`);
    await this.client.execute(`INSERT INTO ${this.table} (tenant, profile, credentials, updated_at) VALUES (?, ?, ?, ?)`, [
      id,
      JSON.stringify(profile),
      JSON.stringify(credentials),
      new Date(),
    ]);
    this.cache = undefined;
  }

  async setStatus(id: string, status: 'active' | 'disabled'): Promise<Tenant | undefined> {
    const row = (await this.client.execute(`SELECT profile, credentials FROM ${this.table} WHERE tenant = ?`, [id])).first();
    if (!row) return undefined;
    const profile = JSON.parse(row.get('profile') as string) as TenantProfileInput;
    await this.put(id, { ...profile, status }, JSON.parse(row.get('credentials') as string) as TenantCredentials);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.client.execute(`DELETE FROM ${this.table} WHERE tenant = ?`, [id]);
    this.cache = undefined;
  }
}
