import { AccessDeniedError, AuthenticationError, TooManyRequestsError } from '../errors';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { LoginFailureStore } from './LoginFailureStore';
import { hashPassword, verifyPassword } from './passwordHash';
import type { IssuedToken, TokenService } from './TokenService';

export interface LockoutPolicy {
  /** Failed logins within the window that lock the tenant's login. */
  readonly maxFailedLogins: number;
  readonly windowSeconds: number;
}

/** A hash to verify against when the tenant does not exist, so both cases take the same time. */
const decoyHash = hashPassword('mysimbdp-decoy-password');

/**
 * `POST /auth/login`: checks a tenant's password against its scrypt hash and
 * issues a short-lived token. Repeated failures lock the tenant's login for
 * the rest of the window (HTTP 429 with Retry-After). An unknown tenant and a
 * wrong password get the same answer, so the API does not reveal which
 * tenants exist.
 *
 * @example
 * const { token } = await logins.login('zoo', password);
 */
export class LoginService {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly failures: LoginFailureStore,
    private readonly tokens: TokenService,
    private readonly policy: LockoutPolicy,
  ) {}

  async login(tenantId: string, password: string, now = new Date()): Promise<IssuedToken> {
    const tenant = await this.registry.get(tenantId);
    if (!tenant) {
      await verifyPassword(password, await decoyHash);
      throw new AuthenticationError('wrong tenant id or password');
    }
    await this.refuseWhileLocked(tenant.id, now);
    if (!(await verifyPassword(password, tenant.credentials.passwordHash))) {
      await this.failures.record(tenant.id, this.policy.windowSeconds, now);
      throw new AuthenticationError('wrong tenant id or password');
    }
    if (tenant.profile.status !== 'active') {
      throw new AccessDeniedError(`tenant ${tenant.id} is disabled; ask the platform operator to enable it`);
    }
    await this.failures.clear(tenant.id);
    return this.tokens.issue(tenant.id, now);
  }

  private async refuseWhileLocked(tenant: string, now: Date): Promise<void> {
    const recent = await this.failures.recent(tenant, this.policy.maxFailedLogins);
    if (recent.length < this.policy.maxFailedLogins) return;
    const oldest = recent[recent.length - 1] as Date;
    const retryAfter = Math.max(1, Math.ceil(this.policy.windowSeconds - (now.getTime() - oldest.getTime()) / 1000));
    throw new TooManyRequestsError(
      `too many failed logins for tenant ${tenant}; try again in ${retryAfter} s or ask the operator to reset the password`,
      retryAfter,
    );
  }
}
