import { TooManyRequestsError } from '../errors';
import type { LoginThrottleStore } from './LoginThrottleStore';

export interface LoginThrottlePolicy {
  /** How long a failed login counts. */
  readonly windowSeconds: number;
  /** Failures for one tenant id from one source that lock that source out of it. */
  readonly maxFailedPerTenantAndSource: number;
  /** Failures from one source, whatever the tenant ids, that refuse every login from it. */
  readonly maxFailedPerSource: number;
  /** Failures for one tenant id from all sources above which only sources that have not failed for it may try. */
  readonly maxFailedPerTenant: number;
  /** Logins from one source being checked at once. */
  readonly maxConcurrentPerSource: number;
}

/** A login the throttle let through: say how it ended, then release it. */
export interface AdmittedLogin {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
  /** Ends the login's "being checked" mark; safe to call more than once. */
  release(): Promise<void>;
}

/** A login still being checked after this long has crashed; its mark expires. */
const CHECKING_TTL_SECONDS = 60;

/**
 * Decides, before any password is hashed, whether a login may be checked,
 * from the failed logins of its source and of its tenant id. It counts by
 * the tenant id as sent, known or not, so that a real tenant and an unknown
 * id are answered alike. Refusals are `TooManyRequestsError`s (HTTP 429 with
 * `Retry-After`) and cost a few reads, no hash:
 *
 * - a source may have `maxConcurrentPerSource` logins being checked at once;
 * - a source with `maxFailedPerSource` failures in the window is refused for every tenant id;
 * - a source with `maxFailedPerTenantAndSource` failures for a tenant id is locked out of that id;
 * - a tenant id with `maxFailedPerTenant` failures from all sources is closed to the sources
 *   that failed for it, and stays open to the others: a stream of wrong passwords from many
 *   addresses bounds the guesses (`maxFailedPerTenant` per window, plus one per new address)
 *   without locking out the real tenant, who logs in from an address of its own.
 *
 * @example
 * const attempt = await throttle.admit('zoo', '203.0.113.9');
 * try { ... await attempt.failed(); } finally { await attempt.release(); }
 */
export class LoginThrottle {
  constructor(
    private readonly store: LoginThrottleStore,
    private readonly policy: LoginThrottlePolicy,
  ) {}

  async admit(tenant: string, source: string, now = new Date()): Promise<AdmittedLogin> {
    const keys = {
      checking: `checking from ${source}`,
      source: `failed from ${source}`,
      tenant: `failed for ${tenant}`,
      tenantAndSource: `failed for ${tenant} from ${source}`,
    };
    const p = this.policy;
    // Failures first: a throttled source is refused with three reads and no write.
    const [fromSource, forTenant, forTenantFromSource] = await Promise.all([
      this.store.recent(keys.source, p.maxFailedPerSource),
      this.store.recent(keys.tenant, p.maxFailedPerTenant),
      this.store.recent(keys.tenantAndSource, p.maxFailedPerTenantAndSource),
    ]);
    if (fromSource.length >= p.maxFailedPerSource) {
      const retryAfter = this.retryAfter(fromSource, now);
      throw new TooManyRequestsError(`too many failed logins from ${source}; try again in ${retryAfter} s`, retryAfter);
    }
    const lockedBy =
      forTenantFromSource.length >= p.maxFailedPerTenantAndSource
        ? forTenantFromSource
        : forTenant.length >= p.maxFailedPerTenant && forTenantFromSource.length > 0
          ? forTenant
          : undefined;
    if (lockedBy) {
      const retryAfter = this.retryAfter(lockedBy, now);
      throw new TooManyRequestsError(
        `too many failed logins for tenant ${tenant}; try again in ${retryAfter} s or ask the operator to reset the password`,
        retryAfter,
      );
    }
    // Then the place: mark this login as being checked, and count the marks (its own included).
    // Of logins that overlap, the last to count sees all their marks, so at most
    // maxConcurrentPerSource of them go on.
    const mark = await this.store.mark([keys.checking], CHECKING_TTL_SECONDS, now);
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.store.remove(keys.checking, mark);
    };
    const checking = await this.store.recent(keys.checking, p.maxConcurrentPerSource + 1);
    if (checking.length > p.maxConcurrentPerSource) {
      await release();
      throw new TooManyRequestsError(`too many logins at once from ${source} (at most ${p.maxConcurrentPerSource} at a time); retry in 1 s`, 1);
    }
    return {
      failed: async () => {
        await this.store.mark([keys.source, keys.tenant, keys.tenantAndSource], this.policy.windowSeconds);
      },
      succeeded: async () => {
        // The tenant's own typos from this source are forgiven; what others tried is not.
        await this.store.clear(keys.tenantAndSource);
      },
      release,
    };
  }

  /** Seconds until the oldest of the counted failures leaves the window. */
  private retryAfter(failures: readonly Date[], now: Date): number {
    const oldest = failures[failures.length - 1] as Date;
    return Math.max(1, Math.ceil(this.policy.windowSeconds - (now.getTime() - oldest.getTime()) / 1000));
  }
}
