import { TooManyRequestsError } from '../errors';
import type { LoginThrottleStore } from './LoginThrottleStore';

export interface LoginThrottlePolicy {
  /** How long a failed login counts. */
  readonly windowSeconds: number;
  /** Failures for one tenant id from one source that lock that source out of it; also a device token's failures that lock it out. */
  readonly maxFailedPerTenantAndSource: number;
  /** Failures from one source, whatever the tenant ids, that refuse every login from it. */
  readonly maxFailedPerSource: number;
  /** Failures for one tenant id from all sources above which only sources that have not failed for it may try. */
  readonly maxFailedPerTenant: number;
  /** Logins from one source (or with one device token) being checked at once. */
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
 * A login that shows a valid device token of its tenant is held to none of
 * these, but to the same limits counted for that token alone: failures against
 * one tenant behind a shared address lock out the untrusted clients there, not
 * the clients that logged in as another tenant before.
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

  /**
   * `device` is the id of a valid device token for this tenant (see
   * `DeviceTokens`), when the login shows one: such a login is held to that
   * token's own failures only, not to those of its source or of its tenant id.
   */
  async admit(tenant: string, source: string, now = new Date(), device?: string): Promise<AdmittedLogin> {
    return device === undefined ? this.admitUntrusted(tenant, source, now) : this.admitDevice(device, now);
  }

  /** A login without a device token: held to the failures of its source and of its tenant id. */
  private async admitUntrusted(tenant: string, source: string, now: Date): Promise<AdmittedLogin> {
    const keys = {
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
    const release = await this.takePlace(`checking from ${source}`, `too many logins at once from ${source}`, now);
    return {
      failed: async () => {
        await this.store.mark([keys.source, keys.tenant, keys.tenantAndSource], p.windowSeconds, now);
      },
      succeeded: async () => {
        // The tenant's own typos from this source are forgiven; what others tried is not.
        await this.store.clear(keys.tenantAndSource);
      },
      release,
    };
  }

  /**
   * A login with a valid device token: its source's and its tenant id's
   * failures do not count (someone else's, behind the same address, must not
   * lock this client out), and its own failures neither count for them (a
   * tenant's typos on its own device do not close its address to others). The
   * token has a limit of its own, `maxFailedPerTenantAndSource` failures in
   * the window, past which it is refused whatever the password, as a locked
   * source is; and as many logins being checked at once as a source.
   */
  private async admitDevice(device: string, now: Date): Promise<AdmittedLogin> {
    const failedKey = `failed with device ${device}`;
    const p = this.policy;
    const failures = await this.store.recent(failedKey, p.maxFailedPerTenantAndSource);
    if (failures.length >= p.maxFailedPerTenantAndSource) {
      const retryAfter = this.retryAfter(failures, now);
      throw new TooManyRequestsError(`too many failed logins with this device token; try again in ${retryAfter} s`, retryAfter);
    }
    const release = await this.takePlace(`checking with device ${device}`, 'too many logins at once with this device token', now);
    return {
      failed: async () => {
        await this.store.mark([failedKey], p.windowSeconds, now);
      },
      succeeded: async () => {
        await this.store.clear(failedKey);
      },
      release,
    };
  }

  /**
   * Marks a login as being checked under `key`, and counts the marks (its own
   * included). Of logins that overlap, the last to count sees all their marks,
   * so at most `maxConcurrentPerSource` of them go on; the others are refused
   * with `refusal`. Returns the release of the mark.
   */
  private async takePlace(key: string, refusal: string, now: Date): Promise<() => Promise<void>> {
    const mark = await this.store.mark([key], CHECKING_TTL_SECONDS, now);
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      await this.store.remove(key, mark);
    };
    const checking = await this.store.recent(key, this.policy.maxConcurrentPerSource + 1);
    if (checking.length > this.policy.maxConcurrentPerSource) {
      await release();
      throw new TooManyRequestsError(`${refusal} (at most ${this.policy.maxConcurrentPerSource} at a time); retry in 1 s`, 1);
    }
    return release;
  }

  /** Seconds until the oldest of the counted failures leaves the window. */
  private retryAfter(failures: readonly Date[], now: Date): number {
    const oldest = failures[failures.length - 1] as Date;
    return Math.max(1, Math.ceil(this.policy.windowSeconds - (now.getTime() - oldest.getTime()) / 1000));
  }
}
