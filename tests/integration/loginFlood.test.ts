import { DEMO } from '../helpers/demoTenants';
import { runLoginFlood } from '../helpers/loginFlood';
import { requestFrom } from '../helpers/requestFrom';
import { apiUrl, config } from '../helpers/testPlatform';

// A flood of failing logins against the running platform: 40 failing
// logins, 10 at a time, from one source address, while tenant zoo logs in
// from another. How long the valid logins take is measured by
// `npm run bench:login` (BENCHMARKS.md); here they must succeed, and the
// flood must be refused before it costs a password hash each.
const FLOOD_FROM = '127.0.0.20';

const refusals = {
  atOnce: `too many logins at once from ${FLOOD_FROM} (at most ${config.auth.maxConcurrentLoginsPerSource} at a time); retry in 1 s`,
  fromSource: new RegExp(`^too many failed logins from ${FLOOD_FROM.replace(/\./g, '\\.')}; try again in \\d+ s$`),
};

beforeAll(async () => {
  // A live platform's login function has warm instances; start a dozen (a
  // body that is not JSON is refused before the throttle, leaving no trace).
  await Promise.all(
    Array.from({ length: 12 }, () => requestFrom({ method: 'POST', url: `${apiUrl}/auth/login`, headers: { 'content-type': 'text/plain' }, body: 'warm-up' })),
  );
});

describe('a login flood', () => {
  it('is refused fast, with Retry-After, while a real tenant logs in from elsewhere', async () => {
    const { flood, valid } = await runLoginFlood({
      apiUrl,
      floodFrom: FLOOD_FROM,
      failingLogins: 40,
      concurrency: 10,
      floodTenant: (n) => `flood${n}`,
      valid: { from: '127.0.0.1', tenant: 'zoo', password: DEMO.zoo.password },
    });

    expect(valid.length).toBeGreaterThan(0);
    for (const reply of valid) expect({ status: reply.status, tenant: reply.body.tenant }).toEqual({ status: 200, tenant: 'zoo' });

    expect(flood).toHaveLength(40);
    const checked = flood.filter((reply) => reply.status === 401);
    const refused = flood.filter((reply) => reply.status === 429);
    expect(checked.length + refused.length).toBe(40);
    for (const reply of checked) expect(reply.body).toEqual({ error: 'UNAUTHENTICATED', message: 'wrong tenant id or password' });
    for (const reply of refused) {
      expect(reply.body.error).toBe('TOO_MANY_REQUESTS');
      expect(reply.body.message === refusals.atOnce || refusals.fromSource.test(reply.body.message as string)).toBe(true);
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      expect(reply.body.retryAfterSeconds).toBe(Number(reply.headers['retry-after']));
    }
    // Each checked login cost a hash; the source's failure budget bounds them, the rest cost none.
    expect(checked.length).toBeLessThanOrEqual(config.auth.maxFailedLoginsPerSource);
    expect(refused.length).toBeGreaterThanOrEqual(40 - config.auth.maxFailedLoginsPerSource);
  });
});
