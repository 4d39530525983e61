import type cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';
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

/** Tenant ids answered from the cache of single reads, at most: a flood of made-up ids cannot grow it without bound. */
const MAX_CACHED_IDS = 10_000;

/**
 * The tenant registry in the platform keyspace (`tenants` table), with a
 * cache of `cacheSeconds` so that a busy function does not read it per record.
 * One tenant is read by its partition, never by a scan of the table: on a
 * cluster a single-partition read is answered by any quorum of its replicas
 * (and asked of another replica when one is slow), while a scan waits on every
 * token range, so a node that has just died would hold every request up.
 *
 * @example
 * const registry = new CassandraTenantRegistry(client, 'mysimbdp', 5);
 * const tenant = await registry.get('zoo');
 */
export class CassandraTenantRegistry extends CassandraStore implements TenantRegistry {
  private cache: { at: number; tenants: Map<string, Tenant> } | undefined;
  /** Tenants read one by one (undefined: no such tenant), by id, each with when it was read. */
  private readonly single = new Map<string, { at: number; tenant: Tenant | undefined }>();

  constructor(
    client: cassandra.Client,
    keyspace: string,
    private readonly cacheSeconds = 5,
  ) {
    super(client, keyspace, 'tenants');
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
    const now = Date.now();
    const fresh = (at: number): boolean => now - at < this.cacheSeconds * 1000;
    if (this.cache && fresh(this.cache.at)) return this.cache.tenants.get(id);
    const cached = this.single.get(id);
    if (cached && fresh(cached.at)) return cached.tenant;
    const row = (await this.client.execute(`SELECT tenant, profile, credentials FROM ${this.table} WHERE tenant = ?`, [id], this.prepared)).first();
    const tenant = row ? parseTenantFiles(id, row.get('profile') as string, row.get('credentials') as string, `tenant registry/${id}`) : undefined;
    if (this.cacheSeconds > 0) {
      this.single.delete(id);
      this.single.set(id, { at: now, tenant });
      // The oldest read goes first (a Map keeps insertion order).
      if (this.single.size > MAX_CACHED_IDS) this.single.delete(this.single.keys().next().value as string);
    }
    return tenant;
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
    this.forget();
  }

  /** After a change by this process: read again on the next call. */
  private forget(): void {
    this.cache = undefined;
    this.single.clear();
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
    this.forget();
  }
}
