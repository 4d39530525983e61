import { AccessDeniedError, AuthenticationError } from '../errors';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { LoginThrottle } from './LoginThrottle';
import { DECOY_PASSWORD_HASH, verifyPassword } from './passwordHash';
import type { IssuedToken, TokenService } from './TokenService';

/**
 * `POST /auth/login`: checks a tenant's password against its scrypt hash and
 * issues a short-lived token.
 *
 * The throttle decides first, before any hash, from the failures of the
 * source address and of the tenant id (HTTP 429 with Retry-After). A tenant
 * id that does not exist goes the same way as one that does: it is
 * throttled and locked alike, and its password is checked against a decoy
 * hash of the same cost, so neither the answer nor its time tells which
 * tenants exist. Only the right password of a disabled tenant learns that
 * the tenant is disabled.
 *
 * @example
 * const { token } = await logins.login('zoo', password, '203.0.113.9');
 */
export class LoginService {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly throttle: LoginThrottle,
    private readonly tokens: TokenService,
  ) {}

  /** `source` is the client's address as `loginSource` keys it. */
  async login(tenantId: string, password: string, source: string, now = new Date()): Promise<IssuedToken> {
    const attempt = await this.throttle.admit(tenantId, source, now);
    try {
      const tenant = await this.registry.get(tenantId);
      const matches = await verifyPassword(password, tenant?.credentials.passwordHash ?? DECOY_PASSWORD_HASH);
      if (!tenant || !matches) {
        await attempt.failed();
        throw new AuthenticationError('wrong tenant id or password');
      }
      await attempt.succeeded();
      if (tenant.profile.status !== 'active') {
        throw new AccessDeniedError(`tenant ${tenant.id} is disabled; ask the platform operator to enable it`);
      }
      return await this.tokens.issue(tenant.id, now);
    } finally {
      await attempt.release();
    }
  }
}
