import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ConfigurationError } from '../errors';

const ISSUER = 'mysimbdp';

/**
 * One kind of JWT the platform signs with its token secret (HMAC-SHA256,
 * issuer `mysimbdp`): tenants' API tokens, operators' tokens, device tokens.
 * Each kind has an audience of its own, which `verify` checks, so that no
 * token passes for another kind. The secret comes from configuration, never
 * from the repository.
 *
 * @example
 * const jwt = new PlatformJwt(secret, 'mysimbdp-api', 900);
 * const { token } = await jwt.sign('zoo');
 * (await jwt.verify(token)).sub; // 'zoo'
 */
export class PlatformJwt {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly audience: string,
    private readonly ttlSeconds: number,
  ) {
    if (Buffer.byteLength(secret) < 32) {
      throw new ConfigurationError('MYSIMBDP_TOKEN_SECRET must be set to at least 32 bytes (e.g. `openssl rand -base64 48`)');
    }
    this.key = new TextEncoder().encode(secret);
  }

  /** A token for `subject`, issued at `now`, with the claims given besides. */
  async sign(subject: string, now = new Date(), claims: JWTPayload = {}): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(ISSUER)
      .setAudience(this.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /**
   * The claims of a token signed with this key by the platform, not expired
   * at `now`, of this audience (unless `anyAudience`, for a caller that tells
   * another kind of token apart itself) and, if given, of this subject; jose's
   * errors otherwise.
   */
  async verify(token: string, now = new Date(), checks: { readonly anyAudience?: boolean; readonly subject?: string } = {}): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.key, {
      issuer: ISSUER,
      algorithms: ['HS256'],
      currentDate: now,
      ...(checks.anyAudience ? {} : { audience: this.audience }),
      ...(checks.subject === undefined ? {} : { subject: checks.subject }),
    });
    return payload;
  }
}
