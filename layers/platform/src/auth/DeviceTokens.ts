import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { ConfigurationError } from '../errors';

export interface IssuedDeviceToken {
  readonly token: string;
  readonly expiresAt: Date;
}

const ISSUER = 'mysimbdp';
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
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    if (Buffer.byteLength(secret) < 32) {
      throw new ConfigurationError('MYSIMBDP_TOKEN_SECRET must be set to at least 32 bytes (e.g. `openssl rand -base64 48`)');
    }
    this.key = new TextEncoder().encode(secret);
  }

  async issue(tenant: string, now = new Date()): Promise<IssuedDeviceToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(tenant)
      .setJti(randomBytes(16).toString('base64url'))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /**
   * The id of a device token the platform issued for this tenant and that has
   * not expired; undefined for anything else (another tenant's, forged,
   * expired, malformed), which the login then treats as no token at all.
   */
  async deviceOf(token: string, tenant: string, now = new Date()): Promise<string | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, subject: tenant, algorithms: ['HS256'], currentDate: now });
      return typeof payload.jti === 'string' && payload.jti ? payload.jti : undefined;
    } catch {
      return undefined;
    }
  }
}
