import { createHash, timingSafeEqual } from 'node:crypto';
import type { LoginFailureStore } from '../auth/LoginFailureStore';
import type { LockoutPolicy } from '../auth/LoginService';
import { AuthenticationError, ConfigurationError, TooManyRequestsError } from '../errors';
import type { OperatorTokens } from './OperatorTokens';

/** Where the operator's failed logins are counted: not a tenant id, so no tenant's count is shared. */
const FAILURES_KEY = '@operator';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * `POST /operator/login`: checks the operator's password (from the platform's
 * secrets, never a tenant's) in constant time and issues an operator token.
 * Failed logins lock the operator's login for the rest of the window, as they
 * do a tenant's.
 *
 * @example
 * const { token } = await operatorLogins.login(password);
 */
export class OperatorLoginService {
  constructor(
    private readonly password: string,
    private readonly failures: LoginFailureStore,
    private readonly tokens: OperatorTokens,
    private readonly policy: LockoutPolicy,
  ) {}

  async login(password: string, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    if (!this.password) {
      throw new ConfigurationError('this stage has no operator password (MYSIMBDP_OPERATOR_PASSWORD, the `operatorPassword` key of its secret)');
    }
    const recent = await this.failures.recent(FAILURES_KEY, this.policy.maxFailedLogins);
    const oldest = recent[this.policy.maxFailedLogins - 1];
    if (oldest) {
      const retryAfter = Math.max(1, Math.ceil(this.policy.windowSeconds - (now.getTime() - oldest.getTime()) / 1000));
      throw new TooManyRequestsError(`too many failed operator logins; try again in ${retryAfter} s`, retryAfter);
    }
    // Digests of equal length, so the comparison takes the same time whatever the password.
    if (!timingSafeEqual(digest(password), digest(this.password))) {
      await this.failures.record(FAILURES_KEY, this.policy.windowSeconds, now);
      throw new AuthenticationError('wrong operator password');
    }
    await this.failures.clear(FAILURES_KEY);
    return this.tokens.issue(now);
  }
}
