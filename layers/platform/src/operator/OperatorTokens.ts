import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';
import { AccessDeniedError, AuthenticationError } from '../errors';

const ISSUER = 'mysimbdp';
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
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const token = await new SignJWT({ role: ROLE })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(ROLE)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** `AuthenticationError` when expired, tampered or malformed; `AccessDeniedError` for a valid token that is not an operator's. */
  async verify(token: string): Promise<void> {
    let payload;
    try {
      payload = (await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: ['HS256'] })).payload;
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
