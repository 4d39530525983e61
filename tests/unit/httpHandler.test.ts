import { apiGatewayEvent } from './fakes/apiGatewayEvent';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import cassandra from 'cassandra-driver';
import { errorResponse } from '../../functions/http/errorResponse';
import { operatorHttpHandler, publicHttpHandler, tenantHttpHandler } from '../../functions/http/httpHandler';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import {
  AccessDeniedError,
  AuthenticationError,
  ConfigurationError,
  ConflictError,
  ConstraintViolationError,
  DeferredError,
  InvalidInputError,
  NotFoundError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
} from '../../layers/platform/src/errors';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { OperatorTokens } from '../../layers/platform/src/operator/OperatorTokens';
import type { Platform } from '../../layers/platform/src/platform';
import { FakeTenantRegistry, tenant } from './fakes/FakeTenantRegistry';

const SECRET = 'a-unit-test-secret-of-at-least-32-characters';

describe('errors as HTTP responses', () => {
  it.each([
    [new InvalidInputError('size must be a number'), 400, 'INVALID_INPUT'],
    [new AuthenticationError('wrong password'), 401, 'UNAUTHENTICATED'],
    [new AccessDeniedError('not yours'), 403, 'ACCESS_DENIED'],
    [new NotFoundError('no such batch'), 404, 'NOT_FOUND'],
    [new ConflictError('busy'), 409, 'CONFLICT'],
    [new UnsupportedMediaTypeError('send JSON'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [new ConfigurationError('bad profile'), 500, 'CONFIGURATION_ERROR'],
  ])('%s is %i with its code and message', (error, status, code) => {
    const response = errorResponse(error);
    expect(response).toEqual({
      statusCode: status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: code, message: error.message }),
    });
  });

  it('names the constraint a 422 broke, and the facts a client can act on', () => {
    const response = errorResponse(new ConstraintViolationError('maxFileSize', 'a.csv is 12 MiB; the limit is 10 MiB', { limitBytes: 10 }));
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body as string)).toEqual({
      error: 'CONSTRAINT_VIOLATION',
      message: 'a.csv is 12 MiB; the limit is 10 MiB',
      constraint: 'maxFileSize',
      limitBytes: 10,
    });
  });

  it.each([
    ['too many requests', 429, '30', new TooManyRequestsError('slow down', 30)],
    ['a service unavailable', 503, '7', new ServiceUnavailableError('Cassandra is down', { service: 'cassandra', retryAfterSeconds: 7 })],
    ['deferred work', 503, '60', new DeferredError('tenant disabled', 60)],
    ["the Cassandra driver's no host available", 503, '5', new cassandra.errors.NoHostAvailableError({})],
    ['a refused connection', 503, '5', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED' })],
  ])('%s is %i with Retry-After %s', (_what, status, retryAfter, error) => {
    const response = errorResponse(error);
    expect(response.statusCode).toBe(status);
    expect(response.headers).toEqual({ 'content-type': 'application/json', 'retry-after': retryAfter });
  });

  it.each([
    ['an unexpected error', new TypeError("Cannot read properties of undefined (reading 'x') at /var/task/secret.js:1")],
    ["a platform error whose code is not the API's", new MalformedFileError('no CSV header')],
  ])('answers %s with a 500 that tells nothing of the inside', (_what, error) => {
    const response = errorResponse(error);
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body as string)).toEqual({
      error: 'INTERNAL_ERROR',
      message: 'the platform failed to handle the request; the operator can find it in the logs',
    });
  });
});

function event(options: { tenant?: string; token?: string; method?: string; body?: string; contentType?: string }): APIGatewayProxyEventV2 {
  const { body, ...rest } = options;
  return apiGatewayEvent({ ...rest, ...(body === undefined ? {} : { rawBody: body }) });
}

function setUp() {
  const tokens = new TokenService(SECRET, 3600);
  const operatorTokens = new OperatorTokens(SECRET, 3600);
  const registry = new FakeTenantRegistry([tenant('zoo'), tenant('shop'), tenant('mall', { status: 'disabled' })]);
  const platform = { tokens, operatorTokens, registry } as Pick<Platform, 'tokens' | 'operatorTokens' | 'registry'> as Platform;
  const platformOf = () => Promise.resolve(platform);
  const call = async (
    handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>,
    request: APIGatewayProxyEventV2,
  ) => {
    const response = await handler(request, {} as Context);
    return { status: response.statusCode, body: JSON.parse(response.body as string) as Record<string, unknown> };
  };
  const tenantRoute = tenantHttpHandler<unknown>(({ tenant: served, body }) => Promise.resolve({ body: { tenant: served.id, got: body } }), platformOf);
  const operatorRoute = operatorHttpHandler<unknown>(() => Promise.resolve({ status: 201, body: { operator: true } }), platformOf);
  const publicRoute = publicHttpHandler<unknown>(({ body }) => Promise.resolve({ body: { got: body } }), platformOf);
  return { tokens, operatorTokens, registry, call, tenantRoute, operatorRoute, publicRoute };
}

describe('who may call a route', () => {
  it("serves a tenant's token on its own routes", async () => {
    const { tokens, call, tenantRoute } = setUp();
    const { token } = await tokens.issue('zoo');
    expect(await call(tenantRoute, event({ tenant: 'zoo', token }))).toEqual({ status: 200, body: { tenant: 'zoo' } });
  });

  it("refuses a tenant's token on another tenant's route (403)", async () => {
    const { tokens, call, tenantRoute } = setUp();
    const { token } = await tokens.issue('zoo');
    expect(await call(tenantRoute, event({ tenant: 'shop', token }))).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', message: 'a token of tenant zoo gives no access to tenant shop' },
    });
  });

  it('refuses a request without a token (401), saying how to get one', async () => {
    const { call, tenantRoute, operatorRoute } = setUp();
    expect(await call(tenantRoute, event({ tenant: 'zoo' }))).toEqual({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: 'missing bearer token: log in with POST /auth/login and send "Authorization: Bearer <token>"' },
    });
    expect((await call(operatorRoute, event({}))).status).toBe(401);
  });

  it('refuses a disabled tenant (403) and a removed one (401)', async () => {
    const { tokens, registry, call, tenantRoute } = setUp();
    const mall = await tokens.issue('mall');
    expect(await call(tenantRoute, event({ tenant: 'mall', token: mall.token }))).toEqual({
      status: 403,
      body: { error: 'ACCESS_DENIED', message: 'tenant mall is disabled; ask the platform operator to enable it' },
    });
    const shop = await tokens.issue('shop');
    await registry.remove('shop');
    expect(await call(tenantRoute, event({ tenant: 'shop', token: shop.token }))).toEqual({
      status: 401,
      body: { error: 'UNAUTHENTICATED', message: 'tenant shop no longer exists; log in again' },
    });
  });

  it("serves an operator's token on operator routes, and refuses it on a tenant's", async () => {
    const { operatorTokens, call, tenantRoute, operatorRoute } = setUp();
    const { token } = await operatorTokens.issue();
    expect(await call(operatorRoute, event({ token }))).toEqual({ status: 201, body: { operator: true } });
    expect((await call(tenantRoute, event({ tenant: 'zoo', token }))).status).toBe(401);
  });

  it("refuses a tenant's token on operator routes (403)", async () => {
    const { tokens, call, operatorRoute } = setUp();
    const { token } = await tokens.issue('zoo');
    const response = await call(operatorRoute, event({ token }));
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('ACCESS_DENIED');
  });
});

describe('request bodies', () => {
  it('takes a JSON body', async () => {
    const { call, publicRoute } = setUp();
    expect(await call(publicRoute, event({ method: 'POST', contentType: 'application/json; charset=utf-8', body: '{"a":1}' }))).toEqual({
      status: 200,
      body: { got: { a: 1 } },
    });
  });

  it.each([
    ['text/plain', '{"a":1}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [undefined, '{"a":1}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json; charset=latin1', '{"a":1}', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['application/json', '{"a":', 400, 'INVALID_INPUT'],
  ])('refuses a body sent as %s (%s): %i', async (contentType, body, status, code) => {
    const { call, publicRoute } = setUp();
    const response = await call(publicRoute, event({ method: 'POST', contentType, body }));
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(code);
  });
});
