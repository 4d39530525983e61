import { SignJWT, UnsecuredJWT } from 'jose';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { DEMO } from '../helpers/demoTenants';
import { addTenant, tenantsFolder } from '../helpers/extraTenants';
import { loginFrom, requestFrom, type RawReply } from '../helpers/requestFrom';
import { api, apiUrl, config, login, runCli, waitFor } from '../helpers/testPlatform';

// The hostile-input catalogue for logins, tokens, cross-tenant routes and
// origins: each case is what an attacker or a careless client sends, and the
// exact refusal the platform answers. Failing logins come from their own
// local addresses (127.0.0.x), so that their throttling touches nothing else.

const WRONG = { error: 'UNAUTHENTICATED', message: 'wrong tenant id or password' };
const LOGIN_BODY = 'send {"tenant": "<tenant id>", "password": "<password>"}';
const NOT_JSON = (got: string) => ({
  error: 'UNSUPPORTED_MEDIA_TYPE',
  message: `send the request body as JSON with the header "content-type: application/json" (got ${got})`,
});
const INVALID_TOKEN = { error: 'UNAUTHENTICATED', message: 'the token is invalid (malformed, tampered with, or signed by another key); log in again' };
const MISSING_TOKEN = { error: 'UNAUTHENTICATED', message: 'missing bearer token: log in with POST /auth/login and send "Authorization: Bearer <token>"' };
const ALLOWED_ORIGIN = config.allowedOrigins[0] as string;
const FOREIGN_ORIGIN = 'https://evil.example';

const tenant = { id: 'hostile', password: 'hostile-password-123' };
const removed = { id: 'hostilegone', password: 'hostilegone-password-1' };
const disabled = { id: 'hostileoff', password: 'hostileoff-password-1' };
let folder: string;

/** A login as a hostile client sends it: the raw body and headers, from an address of its own. */
const rawLogin = (from: string, body: string | Buffer, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  requestFrom({ method: 'POST', url: `${apiUrl}/auth/login`, from, headers, body });
const get = (path: string, headers: Record<string, string>) => requestFrom({ method: 'GET', url: `${apiUrl}${path}`, headers });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const withoutDate = (reply: RawReply) => Object.fromEntries(Object.entries(reply.headers).filter(([name]) => !['date', 'content-length'].includes(name)));

beforeAll(async () => {
  folder = await tenantsFolder();
  for (const { id, password } of [tenant, removed, disabled]) await addTenant(folder, id, password, ['--formats', 'csv']);
  await waitFor('the new tenants to be served', async () =>
    (await loginFrom(apiUrl, '127.0.0.29', disabled.id, disabled.password)).status === 200 ? true : undefined,
  );
});

describe('logins', () => {
  it('a wrong password and an unknown tenant get the same answer: status, body and headers', async () => {
    const wrong = await loginFrom(apiUrl, '127.0.0.30', tenant.id, 'not-the-password');
    const unknown = await loginFrom(apiUrl, '127.0.0.30', 'nosuchtenant', 'not-the-password');
    for (const reply of [wrong, unknown]) expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: WRONG });
    expect(withoutDate(unknown)).toEqual(withoutDate(wrong));
  });

  it('locks a source out of a real tenant and of an unknown id alike, after the same number of failures', async () => {
    const source = '127.0.0.31';
    for (const id of [tenant.id, 'nosuchtenant']) {
      for (let n = 0; n < config.auth.maxFailedLogins; n += 1) expect((await loginFrom(apiUrl, source, id, `guess-${n}`)).status).toBe(401);
    }
    const real = await loginFrom(apiUrl, source, tenant.id, 'another-guess');
    const unknown = await loginFrom(apiUrl, source, 'nosuchtenant', 'another-guess');
    for (const [id, reply] of [
      [tenant.id, real],
      ['nosuchtenant', unknown],
    ] as const) {
      expect(reply.status).toBe(429);
      expect(reply.body.error).toBe('TOO_MANY_REQUESTS');
      expect(reply.body.message).toBe(
        `too many failed logins for tenant ${id}; try again in ${String(reply.body.retryAfterSeconds)} s or ask the operator to reset the password`,
      );
      expect(reply.headers['retry-after']).toBe(String(reply.body.retryAfterSeconds));
      expect(Number(reply.body.retryAfterSeconds)).toBeGreaterThan(config.auth.lockoutWindowSeconds - 120);
    }
    expect(Object.keys(withoutDate(unknown)).sort()).toEqual(Object.keys(withoutDate(real)).sort());
  });

  it('keeps the lock to the source that failed: even the right password is refused there, and accepted from elsewhere', async () => {
    const locked = await loginFrom(apiUrl, '127.0.0.31', tenant.id, tenant.password);
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(new RegExp(`^too many failed logins for tenant ${tenant.id}; try again in \\d+ s`));
    const elsewhere = await loginFrom(apiUrl, '127.0.0.32', tenant.id, tenant.password);
    expect({ status: elsewhere.status, tenant: elsewhere.body.tenant }).toEqual({ status: 200, tenant: tenant.id });
  });

  it('throttles a source that fails for many tenant ids, for every tenant, with Retry-After', async () => {
    const source = '127.0.0.33';
    for (let n = 0; n < config.auth.maxFailedLoginsPerSource; n += 1) {
      expect((await loginFrom(apiUrl, source, `sprayed${n}`, 'password123')).body).toEqual(WRONG);
    }
    for (const [id, password] of [
      ['sprayedmore', 'password123'],
      ['zoo', DEMO.zoo.password],
    ]) {
      const refused = await loginFrom(apiUrl, source, id as string, password as string);
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({
        error: 'TOO_MANY_REQUESTS',
        message: `too many failed logins from 127.0.0.33; try again in ${String(refused.body.retryAfterSeconds)} s`,
        retryAfterSeconds: refused.body.retryAfterSeconds,
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('refuses logins from one source beyond those it may have checked at once', async () => {
    const source = '127.0.0.34';
    const replies = await Promise.all(Array.from({ length: 8 }, (_, n) => loginFrom(apiUrl, source, `concurrent${n}`, 'wrong-password')));
    const refused = replies.filter((reply) => reply.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    for (const reply of refused) {
      expect(reply.body).toEqual({
        error: 'TOO_MANY_REQUESTS',
        message: `too many logins at once from ${source} (at most ${config.auth.maxConcurrentLoginsPerSource} at a time); retry in 1 s`,
        retryAfterSeconds: 1,
      });
      expect(reply.headers['retry-after']).toBe('1');
    }
    for (const reply of replies.filter((r) => r.status !== 429)) expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: WRONG });
  });

  it.each([
    ['a truncated JSON body', '{"tenant": ', 'the request body is not valid JSON'],
    ['an empty object', '{}', LOGIN_BODY],
    ['an array', '[{"tenant":"zoo","password":"x"}]', LOGIN_BODY],
    ['null', 'null', LOGIN_BODY],
    ['a JSON number', '42', LOGIN_BODY],
    ['a number as tenant', '{"tenant": 123, "password": "x"}', LOGIN_BODY],
    ['a boolean as password', '{"tenant": "zoo", "password": true}', LOGIN_BODY],
    ['an array as password', '{"tenant": "zoo", "password": ["zoo-demo-password"]}', LOGIN_BODY],
    ['an operator object as tenant', '{"tenant": {"$ne": null}, "password": "x"}', LOGIN_BODY],
    ['an empty password', '{"tenant": "zoo", "password": ""}', LOGIN_BODY],
    [
      'an upper-case tenant id',
      '{"tenant": "ZOO", "password": "zoo-demo-password"}',
      `${LOGIN_BODY}: a tenant id is 2-31 lower-case letters and digits, starting with a letter`,
    ],
    [
      'a path as tenant id',
      '{"tenant": "../zoo", "password": "x"}',
      `${LOGIN_BODY}: a tenant id is 2-31 lower-case letters and digits, starting with a letter`,
    ],
    [
      'a 1000-character tenant id',
      JSON.stringify({ tenant: 'a'.repeat(1000), password: 'x' }),
      `${LOGIN_BODY}: a tenant id is 2-31 lower-case letters and digits, starting with a letter`,
    ],
    ['a 2000-character password', JSON.stringify({ tenant: 'zoo', password: 'p'.repeat(2000) }), `${LOGIN_BODY}: a password has at most 1024 characters`],
  ])('refuses %s as a bad request (400), before any password check', async (_case, body, message) => {
    const reply = await rawLogin('127.0.0.35', body);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 400, body: { error: 'INVALID_INPUT', message } });
  });

  it('refuses a body over 1 MiB (400)', async () => {
    const reply = await rawLogin('127.0.0.35', JSON.stringify({ tenant: 'zoo', password: 'x', padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 400,
      body: { error: 'INVALID_INPUT', message: 'the request body is over 1048576 bytes' },
    });
  });

  it.each([
    ['text/plain', '"text/plain"'],
    ['application/x-www-form-urlencoded', '"application/x-www-form-urlencoded"'],
    ['multipart/form-data; boundary=x', '"multipart/form-data; boundary=x"'],
    ['application/json; charset=iso-8859-1', '"application/json; charset=iso-8859-1"'],
    ['application/jsonp', '"application/jsonp"'],
  ])('refuses a login sent as %s (415), even with the right password', async (contentType, got) => {
    const reply = await rawLogin('127.0.0.36', JSON.stringify({ tenant: 'zoo', password: DEMO.zoo.password }), { 'content-type': contentType });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 415, body: NOT_JSON(got) });
  });

  it('refuses a login without a content type (415)', async () => {
    const reply = await rawLogin('127.0.0.36', JSON.stringify({ tenant: 'zoo', password: DEMO.zoo.password }), {});
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 415, body: NOT_JSON('no content type') });
  });

  it('takes JSON whatever the case of its media type and charset', async () => {
    const reply = await rawLogin('127.0.0.1', JSON.stringify({ tenant: 'zoo', password: DEMO.zoo.password }), {
      'content-type': 'Application/JSON; charset=UTF-8',
    });
    expect({ status: reply.status, tenant: reply.body.tenant }).toEqual({ status: 200, tenant: 'zoo' });
  });

  it('refuses the other JSON routes sent as a form too (415), before reading them', async () => {
    const token = await login('zoo');
    for (const path of ['/tenants/zoo/uploads', '/tenants/zoo/messages']) {
      const reply = await requestFrom({
        method: 'POST',
        url: `${apiUrl}${path}`,
        headers: { ...bearer(token), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'fileName=a.csv&size=10',
      });
      expect({ path, status: reply.status, body: reply.body }).toEqual({ path, status: 415, body: NOT_JSON('"application/x-www-form-urlencoded"') });
    }
  });
});

describe('device tokens', () => {
  /** A login with the device token in the body (as fetchdata sends it) or in the dashboard's cookie. */
  const loginWith = (from: string, id: string, password: string, device: { deviceToken?: string; cookie?: string } = {}) =>
    rawLogin(from, JSON.stringify({ tenant: id, password, ...(device.deviceToken ? { deviceToken: device.deviceToken } : {}) }), {
      'content-type': 'application/json',
      ...(device.cookie ? { cookie: device.cookie } : {}),
    });

  it('gives a device token at login, in the body and as an HttpOnly, SameSite=Strict cookie for the login route', async () => {
    const reply = await loginWith('127.0.0.37', tenant.id, tenant.password);
    expect(reply.status).toBe(200);
    expect([typeof reply.body.deviceToken, Date.parse(String(reply.body.deviceTokenExpiresAt)) > Date.now()]).toEqual(['string', true]);
    const cookies = [reply.headers['set-cookie'] ?? []].flat();
    expect(cookies).toHaveLength(1);
    const attributes = (cookies[0] as string).split(';').map((part) => part.trim().toLowerCase());
    expect(attributes[0]).toBe(`mysimbdp_device=${String(reply.body.deviceToken)}`.toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/auth/login']));
    // The local API is plain HTTP: a Secure cookie would not be kept.
    expect(attributes).not.toContain('secure');
  });

  it("never lets failures against one tenant from an address refuse another tenant's right password there, with its device token", async () => {
    const source = '127.0.0.38';
    const first = await loginWith(source, tenant.id, tenant.password);
    expect(first.status).toBe(200);
    let deviceToken = first.body.deviceToken as string;
    // The flood: zoo's password guessed until the address is locked out of zoo, then unknown ids until it is refused for every tenant.
    for (let n = 0; n < config.auth.maxFailedLogins; n += 1) expect((await loginWith(source, 'zoo', `guess-${n}`)).status).toBe(401);
    for (let n = 0; n < config.auth.maxFailedLoginsPerSource; n += 1) await loginWith(source, `flooded${n}`, 'guess');
    const untrusted = await loginWith(source, tenant.id, tenant.password);
    expect({ status: untrusted.status, message: untrusted.body.message }).toEqual({
      status: 429,
      message: `too many failed logins from ${source}; try again in ${String(untrusted.body.retryAfterSeconds)} s`,
    });
    for (let n = 0; n < 5; n += 1) {
      const trusted = await loginWith(source, tenant.id, tenant.password, { deviceToken });
      expect({ status: trusted.status, tenant: trusted.body.tenant }).toEqual({ status: 200, tenant: tenant.id });
      deviceToken = trusted.body.deviceToken as string;
      // The flood goes on, held to the same limits: the tenant's device token opens nothing for zoo.
      expect((await loginWith(source, 'zoo', DEMO.zoo.password, { deviceToken })).status).toBe(429);
      expect((await loginWith(source, 'zoo', DEMO.zoo.password)).status).toBe(429);
    }
    // The dashboard's way: the browser sends the cookie back.
    const dashboard = await loginWith(source, tenant.id, tenant.password, { cookie: `mysimbdp_device=${deviceToken}` });
    expect({ status: dashboard.status, tenant: dashboard.body.tenant }).toEqual({ status: 200, tenant: tenant.id });
  });

  it('locks a device token out after its own failures: then even the right password is refused with it', async () => {
    const source = '127.0.0.39';
    const { deviceToken } = (await loginWith(source, tenant.id, tenant.password)).body as { deviceToken: string };
    for (let n = 0; n < config.auth.maxFailedLogins; n += 1) {
      expect((await loginWith(source, tenant.id, `guess-${n}`, { deviceToken })).body).toEqual(WRONG);
    }
    const locked = await loginWith(source, tenant.id, tenant.password, { deviceToken });
    expect({ status: locked.status, body: locked.body }).toEqual({
      status: 429,
      body: {
        error: 'TOO_MANY_REQUESTS',
        message: `too many failed logins with this device token; try again in ${String(locked.body.retryAfterSeconds)} s`,
        retryAfterSeconds: locked.body.retryAfterSeconds,
      },
    });
    // Its failures counted for the token alone: the address may still log in without it.
    expect((await loginWith(source, tenant.id, tenant.password)).status).toBe(200);
  });

  it('treats a forged device token as none, and refuses one that is not a string (400)', async () => {
    const source = '127.0.0.40';
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(tenant.id)
      .setJti('forged')
      .setIssuer('mysimbdp')
      .setAudience('mysimbdp-device')
      .setIssuedAt()
      .setExpirationTime('1d')
      .sign(new TextEncoder().encode('not-the-platform-secret-but-32-bytes-long'));
    for (let n = 0; n < config.auth.maxFailedLogins; n += 1) await loginWith(source, tenant.id, `guess-${n}`, { deviceToken: forged });
    expect((await loginWith(source, tenant.id, tenant.password, { deviceToken: forged })).body.message).toMatch(
      new RegExp(`^too many failed logins for tenant ${tenant.id}; try again in \\d+ s`),
    );
    const notAString = await rawLogin(source, JSON.stringify({ tenant: tenant.id, password: tenant.password, deviceToken: 42 }));
    expect({ status: notAString.status, body: notAString.body }).toEqual({
      status: 400,
      body: { error: 'INVALID_INPUT', message: 'deviceToken must be the device token of an earlier login, a string of at most 1024 characters' },
    });
  });
});

describe('tokens', () => {
  const profile = (headers: Record<string, string>) => get('/tenants/zoo/profile', headers);
  const sign = (claims: Record<string, unknown>, secret = config.auth.tokenSecret, alg = 'HS256') =>
    new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret));
  const valid = { sub: 'zoo', iss: 'mysimbdp', aud: 'mysimbdp-api' };

  it.each([
    ['no Authorization header', {}],
    ['another scheme', { authorization: `Basic ${Buffer.from(`zoo:${DEMO.zoo.password}`).toString('base64')}` }],
    ['"Bearer" without a token', { authorization: 'Bearer ' }],
  ])('refuses %s (401)', async (_case, headers) => {
    const reply = await profile(headers);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: MISSING_TOKEN });
  });

  it('refuses a malformed token (401)', async () => {
    const reply = await profile(bearer('not-a-jwt'));
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: INVALID_TOKEN });
  });

  it('refuses an expired token (401)', async () => {
    const expired = await new TokenService(config.auth.tokenSecret, 60).issue('zoo', new Date(Date.now() - 3600_000));
    const reply = await profile(bearer(expired.token));
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: 'the token has expired; log in again (POST /auth/login)' },
    });
  });

  it('refuses a token whose signature was tampered with (401)', async () => {
    const token = await login('zoo');
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const reply = await profile(bearer(`${token.slice(0, -2)}${last}${token.at(-1)}`));
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: INVALID_TOKEN });
  });

  it("refuses a token whose subject was changed to another tenant's (401)", async () => {
    const [header, payload, signature] = (await login('zoo')).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'shop' })).toString('base64url')}.${signature}`;
    const reply = await get('/tenants/shop/profile', bearer(forged));
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: INVALID_TOKEN });
  });

  it.each([
    ['unsigned (alg: none)', () => Promise.resolve(new UnsecuredJWT(valid).setIssuedAt().setExpirationTime('10m').encode())],
    ['signed with another secret', () => sign(valid, 'another-secret-of-at-least-thirty-two-bytes!')],
    ['signed with HS512 and the right secret', () => sign(valid, config.auth.tokenSecret, 'HS512')],
    ['for another audience', () => sign({ ...valid, aud: 'another-api' })],
    ['from another issuer', () => sign({ ...valid, iss: 'someone-else' })],
  ])('refuses a token %s (401)', async (_case, make) => {
    const reply = await profile(bearer(await make()));
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 401, body: INVALID_TOKEN });
  });

  it('refuses a token that names no tenant (401)', async () => {
    const reply = await profile(bearer(await sign({ iss: 'mysimbdp', aud: 'mysimbdp-api' })));
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: 'the token names no tenant; log in again' },
    });
  });

  it('refuses the token of a tenant removed since (401)', async () => {
    const token = await login(removed.id, removed.password);
    const run = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'remove', removed.id]);
    expect(run.status).toBe(0);
    const reply = await waitFor('the removal to be served', async () => {
      const answer = await get(`/tenants/${removed.id}/profile`, bearer(token));
      return answer.status === 200 ? undefined : answer;
    });
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: `tenant ${removed.id} no longer exists; log in again` },
    });
  });

  it('refuses the token of a tenant disabled since (403), and its login with the right password', async () => {
    const token = await login(disabled.id, disabled.password);
    const run = await runCli('clients/tenants.ts', ['--stage', 'test', '--tenants-dir', folder, 'disable', disabled.id]);
    expect(run.status).toBe(0);
    const body = { error: 'ACCESS_DENIED', message: `tenant ${disabled.id} is disabled; ask the platform operator to enable it` };
    const reply = await waitFor('the tenant to be disabled', async () => {
      const answer = await get(`/tenants/${disabled.id}/profile`, bearer(token));
      return answer.status === 200 ? undefined : answer;
    });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 403, body });
    // Each function reads the registry through its own short cache (MYSIMBDP_TENANT_CACHE_SECONDS): the login function may take that long to see it.
    const again = await waitFor('the login to refuse the disabled tenant', async () => {
      const answer = await loginFrom(apiUrl, '127.0.0.1', disabled.id, disabled.password);
      return answer.status === 200 ? undefined : answer;
    });
    expect({ status: again.status, body: again.body }).toEqual({ status: 403, body });
  });
});

describe('cross-tenant routes', () => {
  let zoo: string;
  beforeAll(async () => {
    zoo = await login('zoo');
  });
  const denied = (other: string) => ({ error: 'ACCESS_DENIED', message: `a token of tenant zoo gives no access to tenant ${other}` });

  it.each([
    ['GET', '/tenants/shop/profile', undefined],
    ['POST', '/tenants/shop/uploads', { fileName: 'a.json', size: 10 }],
    ['GET', '/tenants/shop/ingestions', undefined],
    ['GET', '/tenants/shop/ingestions/20261127T203000Z-abcdef-0123456789', undefined],
    ['POST', '/tenants/shop/messages', { body: { order_id: 'x' } }],
    ['GET', '/tenants/shop/stream-report', undefined],
  ])("refuses %s %s with another tenant's token (403)", async (method: string, path: string, body: unknown) => {
    const reply = await api(method, path, body, zoo);
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 403, body: denied('shop') });
  });

  it.each([
    ['/tenants/zoo%2F..%2Fshop/profile', 'zoo/../shop'],
    ['/tenants/ZOO/profile', 'ZOO'],
    ['/tenants/%73%68%6f%70/profile', 'shop'],
    ['/tenants/zoo/../shop/profile', 'shop'],
    ['/tenants/zoo%00/profile', 'zoo\u0000'],
  ])('refuses the path trick %s (403), naming the tenant the path really names', async (path, named) => {
    const reply = await requestFrom({ method: 'GET', url: `${apiUrl}${path}`, headers: bearer(zoo) });
    expect({ status: reply.status, body: reply.body }).toEqual({ status: 403, body: denied(named) });
  });
});

describe('origins', () => {
  const loginBody = JSON.stringify({ tenant: 'zoo', password: DEMO.zoo.password });

  it('answers a page of another origin without any CORS header, so its browser cannot read the answer', async () => {
    const token = await login('zoo');
    for (const origin of [FOREIGN_ORIGIN, 'null', `${ALLOWED_ORIGIN}.evil.example`, ALLOWED_ORIGIN.replace('https:', 'http:')]) {
      const loggedIn = await rawLogin('127.0.0.1', loginBody, { 'content-type': 'application/json', origin });
      const read = await get('/tenants/zoo/profile', { ...bearer(token), origin });
      for (const reply of [loggedIn, read]) {
        expect({ origin, status: reply.status }).toEqual({ origin, status: 200 });
        expect(reply.headers['access-control-allow-origin']).toBeUndefined();
        expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
      }
    }
  });

  it('refuses the preflight of another origin (403), with no CORS header', async () => {
    for (const origin of [FOREIGN_ORIGIN, 'null']) {
      const reply = await requestFrom({
        method: 'OPTIONS',
        url: `${apiUrl}/auth/login`,
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 403, body: { message: `CORS: origin ${origin} is not allowed` } });
      expect(reply.headers['access-control-allow-origin']).toBeUndefined();
      expect(reply.headers['access-control-allow-methods']).toBeUndefined();
    }
  });

  it('answers a configured origin, and its preflight, naming that origin only and allowing no credentials', async () => {
    const preflight = await requestFrom({
      method: 'OPTIONS',
      url: `${apiUrl}/auth/login`,
      headers: { origin: ALLOWED_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ALLOWED_ORIGIN,
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'Content-Type,Authorization',
      'access-control-max-age': '600',
    });
    const reply = await rawLogin('127.0.0.1', loginBody, { 'content-type': 'application/json', origin: ALLOWED_ORIGIN });
    expect(reply.status).toBe(200);
    expect(reply.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(reply.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
