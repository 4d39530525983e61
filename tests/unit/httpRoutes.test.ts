import { apiGatewayEvent } from './fakes/apiGatewayEvent';
import { jest } from '@jest/globals';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { LoginAttempt, LoggedIn } from '../../layers/platform/src/auth/LoginService';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import type { IngestionFilter } from '../../layers/platform/src/ingest/files/IngestionStore';
import type { Platform } from '../../layers/platform/src/platform';
import type { OutgoingStreamMessage, SendOutcome } from '../../layers/platform/src/stream/StreamQueueSender';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';

/**
 * The routes' handlers take the process-wide platform, which needs Cassandra:
 * here it is the platform a test builds of fakes (the module that wires the
 * real one is replaced before the handlers are imported).
 */
let current: Platform | undefined;
jest.unstable_mockModule('../../layers/platform/src/platform', () => ({
  platform: () => (current ? Promise.resolve(current) : Promise.reject(new Error('no platform set up'))),
  buildPlatform: () => {
    throw new Error('the unit tests build no real platform');
  },
}));
const { handler: messagesRoute } = await import('../../functions/http/messages');
const { handler: ingestionsRoute } = await import('../../functions/http/ingestions');
const { handler: loginRoute } = await import('../../functions/http/login');

const SECRET = 'a-unit-test-secret-of-at-least-32-characters';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const event = apiGatewayEvent;

async function call(handler: Handler, request: APIGatewayProxyEventV2) {
  const response = await handler(request, { functionName: 'unit-http', awsRequestId: 'unit-request' } as Context);
  return {
    status: response.statusCode,
    headers: response.headers,
    cookies: response.cookies,
    body: JSON.parse(response.body as string) as Record<string, unknown>,
  };
}

/** A platform of fakes: the tenants zoo (messages up to 1 KiB) and shop, and what each route uses besides. */
function setUp(parts: Partial<Record<keyof Platform, unknown>> = {}) {
  const tokens = new TokenService(SECRET, 3600);
  const registry = new FakeTenantRegistry([
    tenant('zoo', { stream: { maxReceiveCount: 3, maxMessageSize: '1 KiB' } }),
    tenant('shop', { stream: { maxReceiveCount: 3, maxMessageSize: '200 KiB' } }),
  ]);
  current = { tokens, registry, ...parts } as unknown as Platform;
  return { tokens, token: async (of = 'zoo') => (await tokens.issue(of)).token };
}

afterEach(() => {
  current = undefined;
});

describe('POST /tenants/{tenant}/messages', () => {
  function withQueue(outcome?: (messages: readonly OutgoingStreamMessage[]) => SendOutcome) {
    const sent: Array<{ tenant: string; messages: readonly OutgoingStreamMessage[] }> = [];
    const streamQueues = {
      send: (to: string, messages: readonly OutgoingStreamMessage[]) => {
        sent.push({ tenant: to, messages });
        return Promise.resolve(outcome ? outcome(messages) : { sent: messages.length, failed: [] });
      },
    };
    return { sent, ...setUp({ streamQueues }) };
  }
  const post = async (token: string, body: unknown, to = 'zoo') => call(messagesRoute, event({ method: 'POST', token, tenant: to, body }));

  it('puts one message on the tenant stream queue, keeping its id and publish time, a JSON body as its text', async () => {
    const { sent, token } = withQueue();
    const response = await post(await token(), { id: 'reading-1', publishedAt: '2024-01-02T03:04:05Z', body: { value: 7 } });
    expect(response).toMatchObject({ status: 202, body: { tenant: 'zoo', accepted: 1, messageIds: ['reading-1'] } });
    expect(sent).toEqual([{ tenant: 'zoo', messages: [{ messageId: 'reading-1', publishedAt: new Date('2024-01-02T03:04:05Z'), body: '{"value":7}' }] }]);
  });

  it('takes a batch, giving a message without an id one, and a text body as it is', async () => {
    const { sent, token } = withQueue();
    const response = await post(await token(), {
      messages: [
        { body: 'plain text', publishedAt: 2024 },
        { id: 'b', body: [1, 2] },
      ],
    });
    expect(response.status).toBe(202);
    const ids = response.body.messageIds as string[];
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe('b');
    expect(sent[0]?.messages.map((message) => message.body)).toEqual(['plain text', '[1,2]']);
    // A number is read as the text of a date-time: 2024 is that year's start.
    expect(sent[0]?.messages[0]?.publishedAt.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it.each([
    ['no message', {}, 'send {"body": <message>} or {"messages": [{"id": "...", "body": <message>}, ...]}'],
    ['an empty batch', { messages: [] }, 'send {"body": <message>} or {"messages": [{"id": "...", "body": <message>}, ...]}'],
    ['too many messages', { messages: Array.from({ length: 501 }, () => ({ body: 1 })) }, 'at most 500 messages per request'],
    ['a message without a body', { messages: [{ body: 1 }, { id: 'x' }] }, 'messages[1]: body is missing'],
    ['an id of other characters', { id: 'a/b', body: 1 }, 'messages[0]: id must be 1-128 letters, digits, ".", "_", ":" or "-"'],
    ['an id that is no string', { id: 12, body: 1 }, 'messages[0]: id must be 1-128 letters, digits, ".", "_", ":" or "-"'],
    ['a publish time that is no date', { body: 1, publishedAt: 'yesterday' }, 'messages[0]: publishedAt must be an ISO 8601 date-time'],
    ['a publish time in epoch milliseconds', { body: 1, publishedAt: 1_700_000_000_000 }, 'messages[0]: publishedAt must be an ISO 8601 date-time'],
    ['a publish time of another type', { body: 1, publishedAt: { at: 1 } }, 'messages[0]: publishedAt must be an ISO 8601 date-time'],
  ])('refuses %s (400) and sends nothing', async (_what, body, message) => {
    const { sent, token } = withQueue();
    expect(await post(await token(), body)).toMatchObject({ status: 400, body: { error: 'INVALID_INPUT', message } });
    expect(sent).toEqual([]);
  });

  it("refuses a message over the tenant's size limit (422), naming the limit", async () => {
    const { sent, token } = withQueue();
    const response = await post(await token(), { messages: [{ body: 'a' }, { body: 'x'.repeat(1025) }] });
    expect(response).toMatchObject({
      status: 422,
      body: { error: 'CONSTRAINT_VIOLATION', constraint: 'stream.maxMessageSize', message: 'messages[1] is 1.0 KiB; tenant zoo accepts up to 1 KiB' },
    });
    expect(sent).toEqual([]);
  });

  it("refuses a message within the tenant's limit that is over SQS's once packed (characters JSON escapes)", async () => {
    const { token } = withQueue();
    const response = await post(await token('shop'), { body: '"'.repeat(150 * 1024) }, 'shop');
    expect(response.status).toBe(422);
    expect(response.body.message).toMatch(/^messages\[0\] is 150 KiB but .* once packed for SQS/);
  });

  it('answers 503 with the messages SQS refused, to be sent again', async () => {
    const { token } = withQueue((messages) => ({ sent: 1, failed: [{ messageId: messages[1]?.messageId as string, reason: 'throttled' }] }));
    const response = await post(await token(), {
      messages: [
        { id: 'a', body: 1 },
        { id: 'b', body: 2 },
      ],
    });
    expect(response).toMatchObject({
      status: 503,
      body: { error: 'SERVICE_UNAVAILABLE', message: 'SQS refused 1 of 2 messages; send those again', failed: [{ messageId: 'b', reason: 'throttled' }] },
    });
  });
});

describe('GET /tenants/{tenant}/ingestions', () => {
  function withIngestions() {
    const listed: IngestionFilter[] = [];
    const ingestions = {
      get: () => Promise.resolve(undefined),
      list: (_tenant: string, filter: IngestionFilter) => {
        listed.push(filter);
        return Promise.resolve([]);
      },
    };
    const ingestionProgress = { of: () => Promise.resolve([]) };
    const deadLetters = { ofTenant: () => Promise.reject(new Error('SQS is down')) };
    return { listed, ...setUp({ ingestions, ingestionProgress, deadLetters }) };
  }
  const get = async (token: string, request: { ingestionId?: string; query?: Record<string, string> }) =>
    call(ingestionsRoute, event({ token, tenant: 'zoo', ...request }));

  it('answers 404 for an ingestion the tenant does not have', async () => {
    const { token } = withIngestions();
    expect(await get(await token(), { ingestionId: 'nope' })).toMatchObject({
      status: 404,
      body: { error: 'NOT_FOUND', message: 'tenant zoo has no ingestion nope' },
    });
  });

  it.each([
    [{ status: 'done' }, 'status must be one of processing, retrying, validated, ingested, rejected, failed, stalled'],
    [{ limit: '0' }, 'limit must be an integer from 1 to 10000'],
    [{ limit: '10001' }, 'limit must be an integer from 1 to 10000'],
    [{ limit: 'ten' }, 'limit must be an integer from 1 to 10000'],
    [{ batch: 'yesterday' }, '"yesterday" is not a batch id (expected e.g. 20261127T203000Z-k3j9xq)'],
  ])('refuses the filter %o (400)', async (query, message) => {
    const { listed, token } = withIngestions();
    expect(await get(await token(), { query })).toMatchObject({ status: 400, body: { error: 'INVALID_INPUT', message } });
    expect(listed).toEqual([]);
  });

  it('reads stalled ingestions among all stored ones (stalled is shown, not stored), and answers without the dead letters when SQS cannot tell', async () => {
    const { listed, token } = withIngestions();
    const response = await get(await token(), { query: { status: 'stalled', limit: '20' } });
    expect(listed).toEqual([{ batchId: undefined, status: undefined, limit: 20 }]);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      tenant: 'zoo',
      filter: { batch: null, status: 'stalled', limit: 20 },
      totals: { deadLetters: null },
      ingestions: [],
    });
  });

  it('reads a stored status as it is, at most a thousand by default', async () => {
    const { listed, token } = withIngestions();
    await get(await token(), { query: { status: 'failed', batch: '20261127T203000Z-k3j9xq' } });
    expect(listed).toEqual([{ batchId: '20261127T203000Z-k3j9xq', status: 'failed', limit: 1000 }]);
  });
});

describe('POST /auth/login', () => {
  const ISSUED: LoggedIn = {
    token: 'bearer-token',
    tenant: 'zoo',
    expiresAt: new Date('2024-01-02T03:19:05Z'),
    device: { token: 'device-token', expiresAt: new Date('2024-02-01T03:04:05Z') },
  };
  function withLogins() {
    const attempts: LoginAttempt[] = [];
    const logins = {
      login: (attempt: LoginAttempt) => {
        attempts.push(attempt);
        return Promise.resolve(ISSUED);
      },
    };
    setUp({ logins, config: { auth: { deviceTokenTtlSeconds: 2_592_000 } } });
    return attempts;
  }
  const login = async (body: unknown, request: Parameters<typeof event>[0] = {}) => call(loginRoute, event({ method: 'POST', body, ...request }));

  it('logs in with the client address as the source, answering the tokens and the device cookie', async () => {
    const attempts = withLogins();
    const response = await login({ tenant: 'zoo', password: 'secret' }, { sourceIp: '2001:db8:1:2:3:4:5:6' });
    expect(attempts).toEqual([{ tenant: 'zoo', password: 'secret', source: '2001:db8:1:2::/64', deviceToken: undefined }]);
    expect(response).toEqual({
      status: 200,
      headers: expect.any(Object) as unknown,
      cookies: ['mysimbdp_device=device-token; Max-Age=2592000; Path=/auth/login; HttpOnly; SameSite=Strict'],
      body: {
        token: 'bearer-token',
        tokenType: 'Bearer',
        tenant: 'zoo',
        expiresAt: '2024-01-02T03:19:05.000Z',
        deviceToken: 'device-token',
        deviceTokenExpiresAt: '2024-02-01T03:04:05.000Z',
      },
    });
  });

  it("takes the device token from the body before the cookie, and the cookie's otherwise; a Secure cookie over HTTPS", async () => {
    const attempts = withLogins();
    const cookies = ['theme=dark', 'mysimbdp_device=from-cookie'];
    await login({ tenant: 'zoo', password: 'secret', deviceToken: 'from-body' }, { cookies });
    const response = await login({ tenant: 'zoo', password: 'secret', deviceToken: null }, { cookies, headers: { 'x-forwarded-proto': 'https' } });
    expect(attempts.map((attempt) => attempt.deviceToken)).toEqual(['from-body', 'from-cookie']);
    expect(response.cookies?.[0]).toMatch(/; Secure$/);
  });

  it.each([
    ['no body', undefined, 'send {"tenant": "<tenant id>", "password": "<password>"}'],
    ['an empty password', { tenant: 'zoo', password: '' }, 'send {"tenant": "<tenant id>", "password": "<password>"}'],
    ['a password that is no string', { tenant: 'zoo', password: 1234 }, 'send {"tenant": "<tenant id>", "password": "<password>"}'],
    [
      'a tenant id of the wrong form',
      { tenant: 'Zoo!', password: 'secret' },
      'send {"tenant": "<tenant id>", "password": "<password>"}: a tenant id is 2-31 lower-case letters and digits, starting with a letter',
    ],
    [
      'a password over 1024 characters',
      { tenant: 'zoo', password: 'p'.repeat(1025) },
      'send {"tenant": "<tenant id>", "password": "<password>"}: a password has at most 1024 characters',
    ],
    [
      'a device token that is no string',
      { tenant: 'zoo', password: 'secret', deviceToken: 7 },
      'deviceToken must be the device token of an earlier login, a string of at most 1024 characters',
    ],
    [
      'a device token over 1024 characters',
      { tenant: 'zoo', password: 'secret', deviceToken: 'd'.repeat(1025) },
      'deviceToken must be the device token of an earlier login, a string of at most 1024 characters',
    ],
  ])('refuses %s (400) without trying to log in', async (_what, body, message) => {
    const attempts = withLogins();
    const response = await call(loginRoute, event({ method: 'POST', body, headers: { 'content-type': 'application/json' } }));
    expect(response).toMatchObject({ status: 400, body: { error: 'INVALID_INPUT', message } });
    expect(attempts).toEqual([]);
  });
});
