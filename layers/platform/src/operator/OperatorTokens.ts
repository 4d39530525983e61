import { decodeJwt, errors } from 'jose';
import { PlatformJwt } from '../auth/PlatformJwt';
import { AccessDeniedError, AuthenticationError } from '../errors';

/** Not the tenants' audience: a tenant token fails here, and an operator token on tenant routes. */
const AUDIENCE = 'mysimbdp-operator';
const ROLE = 'operator';

/**
 * The platform operator's short-lived tokens: JWTs signed with the same key
 * as tenant tokens (HMAC-SHA256), with the `operator` role and their own
 * audience, so that neither kind of token opens the other's routes.
 *
 * @example
 * const tokens = new OperatorTokens(secret, 900);
 * const { token } = await tokens.issue();
 * await tokens.verify(token); // throws unless it is a valid operator token
 */
export class OperatorTokens {
  private readonly jwt: PlatformJwt;

  constructor(secret: string, ttlSeconds: number) {
    this.jwt = new PlatformJwt(secret, AUDIENCE, ttlSeconds);
  }

  issue(now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    return this.jwt.sign(ROLE, now, { role: ROLE });
  }

  /** `AuthenticationError` when expired, tampered or malformed; `AccessDeniedError` for a valid token that is not an operator's. */
  async verify(token: string, now = new Date()): Promise<void> {
    let payload;
    try {
      // Any audience: a valid token of a tenant is told apart below, as a 403 rather than a 401.
      payload = await this.jwt.verify(token, now, { anyAudience: true });
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('the token has expired; log in again (POST /operator/login)', {}, { cause: error });
      throw new AuthenticationError('the token is invalid (malformed, tampered with, or signed by another key); log in again', {}, { cause: error });
    }
    if (payload.aud !== AUDIENCE || payload.role !== ROLE) {
      throw new AccessDeniedError(
        `a tenant's token (tenant ${String(decodeJwt(token).sub)}) gives no access to operator routes; log in with POST /operator/login`,
      );
    }
  }
}
