import type { Tenant } from '../../../layers/platform/src/tenants/Tenant';
import type { TenantCredentials } from '../../../layers/platform/src/tenants/TenantCredentials';
import { TenantProfileSchema, type TenantProfileInput } from '../../../layers/platform/src/tenants/TenantProfile';
import type { TenantRegistry } from '../../../layers/platform/src/tenants/TenantRegistry';

/** A tenant's profile as `profile.json` says it, with the fields a test does not care about filled in. */
export function tenantProfile(
  id: string,
  overrides: Partial<Omit<TenantProfileInput, 'batch' | 'stream'>> & {
    batch?: Partial<TenantProfileInput['batch']>;
    stream?: TenantProfileInput['stream'];
  } = {},
): TenantProfileInput {
  const { batch, stream, ...rest } = overrides;
  return {
    tenant: id,
    displayName: `tenant ${id}`,
    status: 'active',
    keyspace: `tenant_${id}`,
    ...rest,
    batch: { maxFileSize: '1 MiB', maxFilesPerBatch: 4, allowedFormats: ['csv', 'ndjson', 'json'], maxBadRows: 2, ...batch },
    stream: { maxReceiveCount: 3, ...stream },
  };
}

/** Credentials of a tenant no test logs in as. */
const UNUSED_CREDENTIALS: TenantCredentials = {
  passwordHash: '$scrypt$ln=1,r=8,p=1$c2FsdA$aGFzaA',
  amqp: { hashingAlgorithm: 'rabbit_password_hashing_sha256', passwordHash: 'A'.repeat(48) },
};

/** A tenant, its profile validated as the platform validates it. */
export function tenant(id: string, overrides: Parameters<typeof tenantProfile>[1] = {}): Tenant {
  return { id, profile: TenantProfileSchema.parse(tenantProfile(id, overrides)), credentials: UNUSED_CREDENTIALS };
}

/** The tenant registry in memory. */
export class FakeTenantRegistry implements TenantRegistry {
  private readonly tenants = new Map<string, Tenant>();

  constructor(tenants: readonly Tenant[] = []) {
    for (const each of tenants) this.tenants.set(each.id, each);
  }

  get(id: string): Promise<Tenant | undefined> {
    return Promise.resolve(this.tenants.get(id));
  }

  list(): Promise<Tenant[]> {
    return Promise.resolve([...this.tenants.values()].sort((a, b) => a.id.localeCompare(b.id)));
  }

  put(id: string, profile: TenantProfileInput, credentials: TenantCredentials): Promise<void> {
    this.tenants.set(id, { id, profile: TenantProfileSchema.parse(profile), credentials });
    return Promise.resolve();
  }

  setStatus(id: string, status: 'active' | 'disabled'): Promise<Tenant | undefined> {
    const current = this.tenants.get(id);
    if (!current) return Promise.resolve(undefined);
    const changed = { ...current, profile: { ...current.profile, status } };
    this.tenants.set(id, changed);
    return Promise.resolve(changed);
  }

  remove(id: string): Promise<void> {
    this.tenants.delete(id);
    return Promise.resolve();
  }
}
