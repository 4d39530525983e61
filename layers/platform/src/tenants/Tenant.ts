import type { TenantCredentials } from './TenantCredentials';
import type { TenantProfile } from './TenantProfile';

/** One tenant as the platform knows it: its validated profile and its hashed credentials. */
export interface Tenant {
  readonly id: string;
  readonly profile: TenantProfile;
  readonly credentials: TenantCredentials;
}
