import { AccessDeniedError, AuthenticationError } from '../errors';
import type { TenantRegistry } from '../tenants/TenantRegistry';
import type { DeviceTokens, IssuedDeviceToken } from './DeviceTokens';
import type { LoginThrottle } from './LoginThrottle';
import { DECOY_PASSWORD_HASH, verifyPassword } from './passwordHash';
import type { IssuedToken, TokenService } from './TokenService';

/** One login as the client sent it. */
export interface LoginAttempt {
  readonly tenant: string;
  readonly password: string;
  /** The client's address as `loginSource` keys it. */
  readonly source: string;
  /** The device token the client got at an earlier login, if it shows one. */
  readonly deviceToken?: string | undefined;
}

/** A login that succeeded: the API token, and the device token to show at the next login. */
export interface LoggedIn extends IssuedToken {
  readonly device: IssuedDeviceToken;
}

/**
 * `POST /auth/login`: checks a tenant's password against its scrypt hash and
 * issues a short-lived token, and a device token for the next logins.
 *
 * The throttle decides first, before any hash, from the failures of the
 * source address and of the tenant id (HTTP 429 with Retry-After); a login
 * that shows a valid device token of the tenant is held to that token's own
 * failures instead (see `LoginThrottle`). A device token of another tenant,
 * forged, expired, or of a tenant that no longer exists counts as none. A
 * tenant id that does not exist goes the same way as one that does: it is
 * throttled and locked alike, and its password is checked against a decoy
 * hash of the same cost, so neither the answer nor its time tells which
 * tenants exist. Only the right password of a disabled tenant learns that
 * the tenant is disabled.
 *
 * @example
 * const { token, device } = await logins.login({ tenant: 'zoo', password, source: '203.0.113.9', deviceToken });
 */
export class LoginService {
  constructor(
    private readonly registry: TenantRegistry,
    private readonly throttle: LoginThrottle,
    private readonly tokens: TokenService,
    private readonly devices: DeviceTokens,
  ) {}

  async login(request: LoginAttempt, now = new Date()): Promise<LoggedIn> {
    const device = request.deviceToken ? await this.trustedDevice(request.tenant, request.deviceToken, now) : undefined;
    const attempt = await this.throttle.admit(request.tenant, request.source, now, device);
    try {
      const tenant = await this.registry.get(request.tenant);
      const matches = await verifyPassword(request.password, tenant?.credentials.passwordHash ?? DECOY_PASSWORD_HASH);
      if (!tenant || !matches) {
        await attempt.failed();
        throw new AuthenticationError('wrong tenant id or password');
      }
      await attempt.succeeded();
      if (tenant.profile.status !== 'active') {
        throw new AccessDeniedError(`tenant ${tenant.id} is disabled; ask the platform operator to enable it`);
      }
      // A new device token at every login: one that someone else holds and has locked out is left behind.
      const [issued, issuedDevice] = await Promise.all([this.tokens.issue(tenant.id, now), this.devices.issue(tenant.id, now)]);
      return { ...issued, device: issuedDevice };
    } finally {
      await attempt.release();
    }
  }

  /** The id of the device token, if it is one of this tenant's and the tenant exists. */
  private async trustedDevice(tenant: string, token: string, now: Date): Promise<string | undefined> {
    const device = await this.devices.deviceOf(token, tenant, now);
    if (device === undefined) return undefined;
    return (await this.registry.get(tenant)) ? device : undefined;
  }
}
