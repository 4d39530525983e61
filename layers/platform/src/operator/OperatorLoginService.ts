import { createHash, timingSafeEqual } from 'node:crypto';
import type { LoginThrottle } from '../auth/LoginThrottle';
import { AuthenticationError, ConfigurationError } from '../errors';
import type { OperatorTokens } from './OperatorTokens';

/** Where the operator's failed logins are counted: not a tenant id (those have no "@"), so no tenant's count is shared. */
const THROTTLE_KEY = '@operator';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * `POST /operator/login`: checks the operator's password (from the platform's
 * secrets, never a tenant's) in constant time and issues an operator token.
 * Failed logins are throttled per source address by the same throttle as
 * tenants' logins, counted under a key of the operator's own.
 *
 * @example
 * const { token } = await operatorLogins.login(password, '203.0.113.9');
 */
export class OperatorLoginService {
  constructor(
    private readonly password: string,
    private readonly throttle: LoginThrottle,
    private readonly tokens: OperatorTokens,
  ) {}

  /** `source` is the client's address as `loginSource` keys it. */
  async login(password: string, source: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    if (!this.password) {
      throw new ConfigurationError('this stage has no operator password (MYSIMBDP_OPERATOR_PASSWORD, the `operatorPassword` key of its secret)');
    }
    const attempt = await this.throttle.admit(THROTTLE_KEY, source, now);
    try {
      // Digests of equal length, so the comparison takes the same time whatever the password.
      if (!timingSafeEqual(digest(password), digest(this.password))) {
        await attempt.failed();
        throw new AuthenticationError('wrong operator password');
      }
      await attempt.succeeded();
      return this.tokens.issue(now);
    } finally {
      await attempt.release();
    }
  }
}
