import { errors, jwtVerify, SignJWT } from 'jose';
import { AuthenticationError, ConfigurationError } from '../errors';

export interface IssuedToken {
  readonly token: string;
  readonly tenant: string;
  readonly expiresAt: Date;
}

const ISSUER = 'mysimbdp';
const AUDIENCE = 'mysimbdp-api';

/**
 * Short-lived API tokens: JWTs signed with HMAC-SHA256, subject = tenant id.
 * The secret comes from configuration, never from the repository.
 *
 * @example
 * const tokens = new TokenService(secret, 900);
 * const { token } = await tokens.issue('zoo');
 * (await tokens.verify(token)).tenant; // 'zoo'
 */
export class TokenService {
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

  async issue(tenant: string, now = new Date()): Promise<IssuedToken> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(tenant)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, tenant, expiresAt: new Date(expiresAt * 1000) };
  }

  /** The tenant a token was issued to; `AuthenticationError` when expired, tampered or malformed. */
  async verify(token: string, now = new Date()): Promise<{ tenant: string }> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], currentDate: now });
      if (typeof payload.sub !== 'string') throw new AuthenticationError('the token names no tenant; log in again');
      return { tenant: payload.sub };
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('the token has expired; log in again (POST /auth/login)', {}, { cause: error });
      throw new AuthenticationError('the token is invalid (malformed, tampered with, or signed by another key); log in again', {}, { cause: error });
    }
  }
}
