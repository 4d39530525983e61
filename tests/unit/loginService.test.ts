import { DeviceTokens } from '../../layers/platform/src/auth/DeviceTokens';
import { LoginService, type LoggedIn } from '../../layers/platform/src/auth/LoginService';
import { LoginThrottle } from '../../layers/platform/src/auth/LoginThrottle';
import { hashPassword } from '../../layers/platform/src/auth/passwordHash';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { AccessDeniedError, AuthenticationError, TooManyRequestsError } from '../../layers/platform/src/errors';
import { FakeClock } from './fakes/FakeClock';
import { FakeLoginThrottleStore } from './fakes/FakeLoginThrottleStore';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';
import { asReal } from './fakes/Public';

const policy = { windowSeconds: 900, maxFailedPerTenantAndSource: 3, maxFailedPerSource: 5, maxFailedPerTenant: 4, maxConcurrentPerSource: 1 };

const SECRET = 'a-unit-test-secret-of-at-least-32-characters';
const DEVICE_TTL_SECONDS = 30 * 24 * 3600;

async function setUp() {
  // A cheap hash (scrypt at 2^10): what is tested is the throttle, not the hash's cost.
  const passwordHash = await hashPassword('zoo-password', 10);
  const withPassword = (id: string, status: 'active' | 'disabled' = 'active') => {
    const each = tenant(id, { status });
    return { ...each, credentials: { ...each.credentials, passwordHash } };
  };
  const registry = new FakeTenantRegistry([withPassword('zoo'), withPassword('shop'), withPassword('mall', 'disabled')]);
  const clock = new FakeClock();
  const store = new FakeLoginThrottleStore(() => clock.now());
  const throttle = new LoginThrottle(asReal(store), policy);
  const tokens = new TokenService(SECRET, 3600);
  const devices = new DeviceTokens(SECRET, DEVICE_TTL_SECONDS);
  const logins = new LoginService(registry, throttle, tokens, devices);
  const attempt = (id: string, password: string, source: string, deviceToken?: string) =>
    logins.login({ tenant: id, password, source, deviceToken }, clock.date()).then(
      (token) => token,
      (error: unknown) => error,
    );
  return { logins, throttle, tokens, devices, registry, clock, attempt };
}

describe('logging in', () => {
  it('gives a token of the tenant for its password, and says only "wrong tenant id or password" otherwise', async () => {
    const { attempt, tokens, clock } = await setUp();
    const issued = await attempt('zoo', 'zoo-password', '203.0.113.1');
    expect(await tokens.verify((issued as { token: string }).token, clock.date())).toEqual({ tenant: 'zoo' });
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
      /^too many failed logins for tenant zoo; try again in 900 s or ask the operator to reset the password$/,
    );
    expect((locked as TooManyRequestsError).retryAfterSeconds).toBe(900);
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
    expect((refused as Error).message).toMatch(/^too many failed logins from 203\.0\.113\.9; try again in 900 s$/);
  });

  it('under a spread attack on a tenant, lets only sources that have not failed for it try', async () => {
    const { attempt } = await setUp();
    await attempt('zoo', 'wrong', '192.0.2.1');
    for (const source of ['192.0.2.2', '192.0.2.3', '192.0.2.4']) await attempt('zoo', 'wrong', source);
    expect(await attempt('zoo', 'zoo-password', '192.0.2.1')).toBeInstanceOf(TooManyRequestsError);
    expect(await attempt('zoo', 'zoo-password', '198.51.100.7')).toHaveProperty('token');
  });

  it('checks at most so many logins from one source at once', async () => {
    const { throttle, clock } = await setUp();
    const first = await throttle.admit('zoo', '203.0.113.1', clock.date());
    await expect(throttle.admit('shop', '203.0.113.1', clock.date())).rejects.toEqual(
      new TooManyRequestsError('too many logins at once from 203.0.113.1 (at most 1 at a time); retry in 1 s', 1),
    );
    await first.release();
    await first.release();
    const second = await throttle.admit('shop', '203.0.113.1', clock.date());
    await second.release();
  });
});

describe('logging in with a device token', () => {
  const S = '203.0.113.50';
  const tokenOf = (reply: unknown) => (reply as LoggedIn).device.token;

  /** From S: zoo's password guessed until S is locked out of zoo, then unknown ids until S is refused for every tenant. */
  async function flood(attempt: Awaited<ReturnType<typeof setUp>>['attempt']): Promise<void> {
    for (let n = 0; n < 3; n += 1) expect(await attempt('zoo', `guess-${n}`, S)).toBeInstanceOf(AuthenticationError);
    for (let n = 0; n < 5; n += 1) await attempt(`nobody${n}`, 'guess', S);
    expect(await attempt('zoo', 'another-guess', S)).toBeInstanceOf(TooManyRequestsError);
  }

  it('is given at every login, for that tenant, and a new one each time', async () => {
    const { attempt, devices, clock } = await setUp();
    const first = await attempt('shop', 'zoo-password', '198.51.100.1');
    const second = await attempt('shop', 'zoo-password', '198.51.100.1', tokenOf(first));
    expect(await devices.deviceOf(tokenOf(first), 'shop', clock.date())).toEqual(expect.any(String));
    expect(tokenOf(second)).not.toBe(tokenOf(first));
    expect((first as LoggedIn).device.expiresAt).toEqual(new Date(clock.now() + DEVICE_TTL_SECONDS * 1000));
  });

  it("lets the failures against one tenant from a source never refuse another tenant's right password with its device token", async () => {
    const { attempt } = await setUp();
    let device = tokenOf(await attempt('shop', 'zoo-password', S));
    await flood(attempt);
    for (let n = 0; n < 10; n += 1) {
      const reply = await attempt('shop', 'zoo-password', S, device);
      expect(reply).toHaveProperty('tenant', 'shop');
      device = tokenOf(reply);
      // The flood goes on between the tenant's logins, and is held to today's limits.
      expect(await attempt('zoo', 'zoo-password', S)).toBeInstanceOf(TooManyRequestsError);
    }
  });

  it('refuses the right password from a flooded source without a device token, as before', async () => {
    const { attempt } = await setUp();
    await attempt('shop', 'zoo-password', S);
    await flood(attempt);
    const refused = await attempt('shop', 'zoo-password', S);
    expect(refused).toEqual(new TooManyRequestsError('too many failed logins from 203.0.113.50; try again in 900 s', 900));
  });

  it('locks a device token out after its own failures, then refuses even the right password with it (no oracle)', async () => {
    const { attempt, clock } = await setUp();
    const device = tokenOf(await attempt('shop', 'zoo-password', S));
    for (let n = 0; n < 3; n += 1) expect(await attempt('shop', `guess-${n}`, S, device)).toEqual(new AuthenticationError('wrong tenant id or password'));
    for (const password of ['guess-3', 'zoo-password']) {
      expect(await attempt('shop', password, S, device)).toEqual(
        new TooManyRequestsError('too many failed logins with this device token; try again in 900 s', 900),
      );
    }
    // Its failures counted for the token only: the source is not locked out of the tenant, and the token is open again after the window.
    expect(await attempt('shop', 'zoo-password', S)).toHaveProperty('tenant', 'shop');
    clock.advance(900_000);
    expect(await attempt('shop', 'zoo-password', S, device)).toHaveProperty('tenant', 'shop');
  });

  it("forgives a device token's own typos once it logs in", async () => {
    const { attempt } = await setUp();
    const device = tokenOf(await attempt('shop', 'zoo-password', S));
    for (let n = 0; n < 2; n += 1) await attempt('shop', 'typo', S, device);
    expect(await attempt('shop', 'zoo-password', S, device)).toHaveProperty('tenant', 'shop');
    for (let n = 0; n < 2; n += 1) expect(await attempt('shop', 'typo', S, device)).toBeInstanceOf(AuthenticationError);
  });

  it("treats a tenant's device token shown for another tenant as no token: it neither lets a locked source guess nor counts apart", async () => {
    const { attempt } = await setUp();
    const shops = tokenOf(await attempt('shop', 'zoo-password', S));
    for (let n = 0; n < 3; n += 1) expect(await attempt('zoo', `guess-${n}`, S, shops)).toBeInstanceOf(AuthenticationError);
    expect(await attempt('zoo', 'zoo-password', S, shops)).toEqual(
      new TooManyRequestsError('too many failed logins for tenant zoo; try again in 900 s or ask the operator to reset the password', 900),
    );
  });

  it('treats an expired, a forged or a tampered device token, and an API token, as no token', async () => {
    const { attempt, clock, registry } = await setUp();
    const issued = (await attempt('shop', 'zoo-password', '198.51.100.1')) as LoggedIn;
    const otherKey = new DeviceTokens('another-secret-of-at-least-32-characters!', DEVICE_TTL_SECONDS);
    const forged = (await otherKey.issue('shop', clock.date())).token;
    const [header, payload, signature] = issued.device.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = [header, Buffer.from(JSON.stringify({ ...claims, jti: 'another-device' })).toString('base64url'), signature].join('.');
    await flood(attempt);
    clock.advance(DEVICE_TTL_SECONDS * 1000 - 60_000);
    // Still valid a minute before it expires; the flood's failures have left the window by now, so flood again.
    expect(await attempt('shop', 'zoo-password', S, issued.device.token)).toHaveProperty('tenant', 'shop');
    await flood(attempt);
    const refused = new TooManyRequestsError('too many failed logins from 203.0.113.50; try again in 900 s', 900);
    for (const token of [forged, tampered, issued.token, 'not-a-token']) expect(await attempt('shop', 'zoo-password', S, token)).toEqual(refused);
    clock.advance(60_000);
    expect(await attempt('shop', 'zoo-password', S, issued.device.token)).toBeInstanceOf(TooManyRequestsError);
    // A device token of a tenant that no longer exists is no token either.
    await registry.remove('shop');
    expect(await attempt('shop', 'zoo-password', S, (await otherKey.issue('shop', clock.date())).token)).toBeInstanceOf(TooManyRequestsError);
  });

  it('answers a known and an unknown tenant id alike, whatever device token is shown', async () => {
    const { attempt, registry } = await setUp();
    const shops = tokenOf(await attempt('shop', 'zoo-password', '198.51.100.1'));
    const zoos = tokenOf(await attempt('zoo', 'zoo-password', '198.51.100.1'));
    await registry.remove('zoo');
    const answers = async (id: string, source: string) => {
      const replies: unknown[] = [];
      for (let n = 0; n < 4; n += 1) replies.push(await attempt(id, `guess-${n}`, source, n % 2 ? shops : zoos));
      return replies.map((reply) => (reply as Error).message.replace(id, '<id>'));
    };
    const known = await answers('mall', '192.0.2.10');
    const unknown = await answers('zoo', '192.0.2.11');
    expect(unknown).toEqual(known);
    expect(known.at(-1)).toBe('too many failed logins for tenant <id>; try again in 900 s or ask the operator to reset the password');
  });

  it('holds a device token to as many logins being checked at once as a source, apart from its source', async () => {
    const { throttle, devices, clock } = await setUp();
    const device = (await devices.deviceOf((await devices.issue('shop', clock.date())).token, 'shop', clock.date())) as string;
    const fromSource = await throttle.admit('zoo', S, clock.date());
    const withDevice = await throttle.admit('shop', S, clock.date(), device);
    await expect(throttle.admit('shop', S, clock.date(), device)).rejects.toEqual(
      new TooManyRequestsError('too many logins at once with this device token (at most 1 at a time); retry in 1 s', 1),
    );
    await Promise.all([fromSource.release(), withDevice.release()]);
  });
});
