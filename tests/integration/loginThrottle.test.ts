import type cassandra from 'cassandra-driver';
import { randomBytes } from 'node:crypto';
import { LoginThrottle, type LoginThrottlePolicy } from '../../layers/platform/src/auth/LoginThrottle';
import { LoginThrottleStore } from '../../layers/platform/src/auth/LoginThrottleStore';
import { TooManyRequestsError } from '../../layers/platform/src/errors';
import { connectCassandra, topology, waitFor } from '../helpers/testPlatform';

// The throttle against the test stage's real login_throttle table, with small
// limits; every test uses its own made-up tenant ids and addresses.
const policy: LoginThrottlePolicy = {
  windowSeconds: 600,
  maxFailedPerTenantAndSource: 3,
  maxFailedPerSource: 5,
  maxFailedPerTenant: 4,
  maxConcurrentPerSource: 2,
};
const unique = (prefix: string): string => `${prefix}${randomBytes(4).toString('hex')}`;
const address = (): string => `198.51.100.${randomBytes(1)[0]}-${randomBytes(3).toString('hex')}`;

let client: cassandra.Client;
let store: LoginThrottleStore;
let throttle: LoginThrottle;

beforeAll(async () => {
  client = await connectCassandra();
  store = new LoginThrottleStore(client, topology.platformKeyspace);
  throttle = new LoginThrottle(store, policy);
});

afterAll(async () => {
  await client.shutdown();
});

async function fail(tenant: string, source: string): Promise<void> {
  const attempt = await throttle.admit(tenant, source);
  await attempt.failed();
  await attempt.release();
}

async function refusal(tenant: string, source: string): Promise<TooManyRequestsError> {
  const error = await throttle.admit(tenant, source).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TooManyRequestsError)) throw new Error(`expected a refusal for ${tenant} from ${source}, got ${String(error)}`);
  return error;
}

describe('the login throttle', () => {
  it('checks at most maxConcurrentPerSource logins of a source at once, and frees the place when one ends', async () => {
    const source = address();
    const first = await throttle.admit(unique('t'), source);
    const second = await throttle.admit(unique('t'), source);
    const third = await refusal(unique('t'), source);
    expect(third.message).toBe(`too many logins at once from ${source} (at most 2 at a time); retry in 1 s`);
    expect(third.retryAfterSeconds).toBe(1);
    await first.release();
    await first.release();
    const fourth = await throttle.admit(unique('t'), source);
    await Promise.all([second.release(), fourth.release()]);
    // Another source is not held up by this one.
    await (await throttle.admit(unique('t'), address())).release();
  });

  it('locks a source out of a tenant id after maxFailedPerTenantAndSource failures, known or not, with the time left', async () => {
    const tenant = unique('t');
    const source = address();
    for (let n = 0; n < policy.maxFailedPerTenantAndSource; n += 1) await fail(tenant, source);
    const locked = await refusal(tenant, source);
    expect(locked.message).toMatch(new RegExp(`^too many failed logins for tenant ${tenant}; try again in \\d+ s or ask the operator to reset the password$`));
    expect(locked.retryAfterSeconds).toBeGreaterThan(policy.windowSeconds - 60);
    expect(locked.retryAfterSeconds).toBeLessThanOrEqual(policy.windowSeconds);
    // The lock is this source's: the tenant still opens to another address.
    await (await throttle.admit(tenant, address())).release();
  });

  it("forgives a source's own failures for a tenant id once it logs in", async () => {
    const lenient = new LoginThrottle(store, { ...policy, maxFailedPerTenant: 100, maxFailedPerSource: 100 });
    const tenant = unique('t');
    const source = address();
    const failOnce = async (): Promise<void> => {
      const attempt = await lenient.admit(tenant, source);
      await attempt.failed();
      await attempt.release();
    };
    for (let n = 0; n < policy.maxFailedPerTenantAndSource - 1; n += 1) await failOnce();
    const right = await lenient.admit(tenant, source);
    await right.succeeded();
    await right.release();
    for (let n = 0; n < policy.maxFailedPerTenantAndSource; n += 1) await failOnce();
    await expect(lenient.admit(tenant, source)).rejects.toThrow(`too many failed logins for tenant ${tenant}`);
  });

  it('refuses every login from a source after maxFailedPerSource failures, whatever the tenant ids', async () => {
    const source = address();
    for (let n = 0; n < policy.maxFailedPerSource; n += 1) await fail(unique('t'), source);
    const refused = await refusal(unique('t'), source);
    expect(refused.message).toMatch(new RegExp(`^too many failed logins from ${source}; try again in \\d+ s$`));
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('past maxFailedPerTenant failures from many sources, closes the tenant id to those sources only', async () => {
    const tenant = unique('t');
    const attackers = [address(), address()];
    for (let n = 0; n < policy.maxFailedPerTenant; n += 1) await fail(tenant, attackers[n % 2] as string);
    for (const attacker of attackers) {
      expect((await refusal(tenant, attacker)).message).toMatch(new RegExp(`^too many failed logins for tenant ${tenant}; try again in \\d+ s`));
    }
    // A source that has not failed for this tenant id may still try, once: the real tenant is not locked out.
    const newcomer = address();
    const attempt = await throttle.admit(tenant, newcomer);
    await attempt.failed();
    await attempt.release();
    await refusal(tenant, newcomer);
  });

  it('forgets failures when the window has passed (each mark has a TTL), and leaves no "being checked" mark behind', async () => {
    const brief = new LoginThrottle(store, { ...policy, windowSeconds: 2, maxFailedPerSource: 1 });
    const source = address();
    const attempt = await brief.admit(unique('t'), source);
    await attempt.failed();
    await attempt.release();
    await expect(brief.admit(unique('t'), source)).rejects.toThrow(`too many failed logins from ${source}`);
    const admitted = await waitFor('the failure to expire', () => brief.admit(unique('t'), source), 15_000, 250);
    await admitted.release();
    const checking = await client.execute(`SELECT key FROM ${topology.platformKeyspace}.login_throttle WHERE key = ?`, [`checking from ${source}`]);
    expect(checking.rows).toHaveLength(0);
  });
});
