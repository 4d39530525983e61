import { errors } from 'jose';
import { AuthenticationError } from '../errors';
import { PlatformJwt } from './PlatformJwt';

export interface IssuedToken {
  readonly token: string;
  readonly tenant: string;
  readonly expiresAt: Date;
}

/**
 * Short-lived API tokens: JWTs signed with HMAC-SHA256, subject = tenant id,
 * audience `mysimbdp-api`. The secret comes from configuration, never from
 * the repository.
 *
 * @example
 * const tokens = new TokenService(secret, 900);
 * const { token } = await tokens.issue('zoo');
 * (await tokens.verify(token)).tenant; // 'zoo'
 */
export class TokenService {
  private readonly jwt: PlatformJwt;

  constructor(secret: string, ttlSeconds: number) {
    this.jwt = new PlatformJwt(secret, 'mysimbdp-api', ttlSeconds);
  }

  async issue(tenant: string, now = new Date()): Promise<IssuedToken> {
    return { ...(await this.jwt.sign(tenant, now)), tenant };
  }

  /** The tenant a token was issued to; `AuthenticationError` when expired, tampered or malformed. */
  async verify(token: string, now = new Date()): Promise<{ tenant: string }> {
    try {
      const payload = await this.jwt.verify(token, now);
      if (typeof payload.sub !== 'string') throw new AuthenticationError('the token names no tenant; log in again');
      return { tenant: payload.sub };
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('the token has expired; log in again (POST /auth/login)', {}, { cause: error });
      throw new AuthenticationError('the token is invalid (malformed, tampered with, or signed by another key); log in again', {}, { cause: error });
    }
  }
}
