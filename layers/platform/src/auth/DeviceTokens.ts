import { randomBytes } from 'node:crypto';
import { PlatformJwt } from './PlatformJwt';

export interface IssuedDeviceToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** Not the API tokens' audience: a device token opens no route, and an API token is no device token. */
const AUDIENCE = 'mysimbdp-device';

/**
 * Device tokens: what a client that has logged in as a tenant shows at its
 * next logins, so that the lockouts of untrusted clients (per source address,
 * per tenant id) do not hold it back. A device token is a JWT signed with
 * HMAC-SHA256 and the platform's token secret over the tenant id (subject), a
 * random 128-bit nonce (its id: the login throttle counts the token's own
 * failures under it) and its issue time.
 *
 * Checking one needs no state: the signature says the platform issued it for
 * that tenant. Nothing needs revoking either: a device token only lets its
 * holder try the tenant's password under a failure limit of its own, so a
 * stolen one gives no more guesses than one more address would, and is locked
 * out for the window after them. Rotating the token secret voids them all.
 *
 * @example
 * const devices = new DeviceTokens(secret, 30 * 24 * 3600);
 * const { token } = await devices.issue('zoo');
 * await devices.deviceOf(token, 'zoo'); // the token's id; undefined for another tenant, a forged or an expired token
 */
export class DeviceTokens {
  private readonly jwt: PlatformJwt;

  constructor(secret: string, ttlSeconds: number) {
    this.jwt = new PlatformJwt(secret, AUDIENCE, ttlSeconds);
  }

  issue(tenant: string, now = new Date()): Promise<IssuedDeviceToken> {
    return this.jwt.sign(tenant, now, { jti: randomBytes(16).toString('base64url') });
  }

  /**
   * The id of a device token the platform issued for this tenant and that has
   * not expired; undefined for anything else (another tenant's, forged,
   * expired, malformed), which the login then treats as no token at all.
   */
  async deviceOf(token: string, tenant: string, now = new Date()): Promise<string | undefined> {
    try {
      const payload = await this.jwt.verify(token, now, { subject: tenant });
      return typeof payload.jti === 'string' && payload.jti ? payload.jti : undefined;
    } catch {
      return undefined;
    }
  }
}
