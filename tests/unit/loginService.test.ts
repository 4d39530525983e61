import { LoginService } from '../../layers/platform/src/auth/LoginService';
import { LoginThrottle } from '../../layers/platform/src/auth/LoginThrottle';
import { hashPassword } from '../../layers/platform/src/auth/passwordHash';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { AccessDeniedError, AuthenticationError, TooManyRequestsError } from '../../layers/platform/src/errors';
import { FakeLoginThrottleStore } from './fakes/FakeLoginThrottleStore';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';
import { asReal } from './fakes/Public';

const policy = { windowSeconds: 900, maxFailedPerTenantAndSource: 3, maxFailedPerSource: 5, maxFailedPerTenant: 4, maxConcurrentPerSource: 1 };

async function setUp() {
  // A cheap hash (scrypt at 2^10): what is tested is the throttle, not the hash's cost.
  const passwordHash = await hashPassword('zoo-password', 10);
  const withPassword = (id: string, status: 'active' | 'disabled' = 'active') => {
    const each = tenant(id, { status });
    return { ...each, credentials: { ...each.credentials, passwordHash } };
  };
  const registry = new FakeTenantRegistry([withPassword('zoo'), withPassword('shop'), withPassword('mall', 'disabled')]);
  const store = new FakeLoginThrottleStore();
  const throttle = new LoginThrottle(asReal(store), policy);
  const tokens = new TokenService('a-unit-test-secret-of-at-least-32-characters', 3600);
  const logins = new LoginService(registry, throttle, tokens);
  const attempt = (id: string, password: string, source: string) =>
    logins.login(id, password, source).then(
      (token) => token,
      (error: unknown) => error,
    );
  return { logins, throttle, tokens, attempt };
}

describe('logging in', () => {
  it('gives a token of the tenant for its password, and says only "wrong tenant id or password" otherwise', async () => {
    const { attempt, tokens } = await setUp();
    const issued = await attempt('zoo', 'zoo-password', '203.0.113.1');
    expect(await tokens.verify((issued as { token: string }).token)).toEqual({ tenant: 'zoo' });
    expect(await attempt('zoo', 'wrong', '203.0.113.1')).toEqual(new AuthenticationError('wrong tenant id or password'));
    expect(await attempt('nobody', 'zoo-password', '203.0.113.1')).toEqual(new AuthenticationError('wrong tenant id or password'));
  });

  it('tells a disabled tenant so only with its right password', async () => {
    const { attempt } = await setUp();
    expect(await attempt('mall', 'wrong', '203.0.113.1')).toBeInstanceOf(AuthenticationError);
    expect(await attempt('mall', 'zoo-password', '203.0.113.1')).toEqual(
      new AccessDeniedError('tenant mall is disabled; ask the platform operator to enable it'),
    );
  });

  it('locks a source out of a tenant after its failures, for the rest of the window, even with the right password', async () => {
    const { attempt } = await setUp();
    for (let n = 0; n < 3; n += 1) expect(await attempt('zoo', 'wrong', '203.0.113.1')).toBeInstanceOf(AuthenticationError);
    const locked = await attempt('zoo', 'zoo-password', '203.0.113.1');
    expect(locked).toBeInstanceOf(TooManyRequestsError);
    expect((locked as TooManyRequestsError).message).toMatch(
      /^too many failed logins for tenant zoo; try again in (899|900) s or ask the operator to reset the password$/,
    );
    expect((locked as TooManyRequestsError).retryAfterSeconds).toBeGreaterThanOrEqual(899);
    // Another source is not locked out by this one's failures.
    expect(await attempt('zoo', 'zoo-password', '198.51.100.7')).toHaveProperty('token');
  });

  it("forgives a source's own typos once it logs in", async () => {
    const { attempt } = await setUp();
    for (let n = 0; n < 2; n += 1) await attempt('zoo', 'wrong', '203.0.113.1');
    expect(await attempt('zoo', 'zoo-password', '203.0.113.1')).toHaveProperty('token');
    for (let n = 0; n < 2; n += 1) expect(await attempt('zoo', 'wrong', '203.0.113.1')).toBeInstanceOf(AuthenticationError);
  });

  it('refuses every login from a source that failed too often, whatever the tenant', async () => {
    const { attempt } = await setUp();
    for (const id of ['zoo', 'zoo', 'shop', 'shop', 'mall']) expect(await attempt(id, 'guess', '203.0.113.9')).toBeInstanceOf(AuthenticationError);
    const refused = await attempt('shop', 'zoo-password', '203.0.113.9');
    expect(refused).toBeInstanceOf(TooManyRequestsError);
    expect((refused as Error).message).toMatch(/^too many failed logins from 203\.0\.113\.9; try again in (899|900) s$/);
  });

  it('under a spread attack on a tenant, lets only sources that have not failed for it try', async () => {
    const { attempt } = await setUp();
    await attempt('zoo', 'wrong', '192.0.2.1');
    for (const source of ['192.0.2.2', '192.0.2.3', '192.0.2.4']) await attempt('zoo', 'wrong', source);
    expect(await attempt('zoo', 'zoo-password', '192.0.2.1')).toBeInstanceOf(TooManyRequestsError);
    expect(await attempt('zoo', 'zoo-password', '198.51.100.7')).toHaveProperty('token');
  });

  it('checks at most so many logins from one source at once', async () => {
    const { throttle } = await setUp();
    const first = await throttle.admit('zoo', '203.0.113.1');
    await expect(throttle.admit('shop', '203.0.113.1')).rejects.toEqual(
      new TooManyRequestsError('too many logins at once from 203.0.113.1 (at most 1 at a time); retry in 1 s', 1),
    );
    await first.release();
    await first.release();
    const second = await throttle.admit('shop', '203.0.113.1');
    await second.release();
  });
});
