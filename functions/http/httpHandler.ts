import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AccessDeniedError,
  AuthenticationError,
  InvalidInputError,
  platform,
  UnsupportedMediaTypeError,
  type Platform,
  type Tenant,
} from '../../layers/platform/src';
import { lambdaLogContext } from '../lambdaLogContext';
import { errorResponse, jsonResponse } from './errorResponse';

export interface HttpRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly platform: Platform;
  /** The parsed JSON body (undefined when there is none). */
  readonly body: unknown;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly path: Readonly<Record<string, string | undefined>>;
}

export interface TenantRequest extends HttpRequest {
  /** The tenant of the path, which the bearer token belongs to, and active. */
  readonly tenant: Tenant;
}

/** A route's answer; `Body` is its body's type in the API's contract (layers/platform/src/http/contract.ts). */
export interface HttpResult<Body = unknown> {
  readonly status?: number;
  readonly body: Body;
  readonly headers?: Record<string, string>;
  /** `Set-Cookie` values, each as API Gateway takes them (one per cookie). */
  readonly cookies?: string[];
}

const MAX_BODY_BYTES = 1024 * 1024;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Every route that takes a body takes JSON, and says so: a body sent as
 * `text/plain`, a form or without a content type is refused (415). Those are
 * what a page of another site can send without asking the browser first.
 */
function requireJson(event: APIGatewayProxyEventV2): void {
  if (!METHODS_WITH_BODY.has(event.requestContext?.http?.method ?? '')) return;
  const header = event.headers['content-type'] ?? event.headers['Content-Type'];
  const [mediaType, ...parameters] = (header ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters
    .find((parameter) => parameter.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  if (mediaType !== 'application/json' || (charset !== undefined && charset !== 'utf-8')) {
    throw new UnsupportedMediaTypeError(
      `send the request body as JSON with the header "content-type: application/json" (got ${header ? JSON.stringify(header) : 'no content type'})`,
    );
  }
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  requireJson(event);
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new InvalidInputError(`the request body is over ${MAX_BODY_BYTES} bytes`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('the request body is not valid JSON', {}, { cause: error });
  }
}

async function authorize(request: Omit<HttpRequest, 'body'>): Promise<Tenant> {
  const header = request.event.headers.authorization ?? request.event.headers.Authorization;
  const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new AuthenticationError('missing bearer token: log in with POST /auth/login and send "Authorization: Bearer <token>"');
  const { tenant: tokenTenant } = await request.platform.tokens.verify(token);
  const pathTenant = request.path.tenant;
  if (pathTenant !== tokenTenant) throw new AccessDeniedError(`a token of tenant ${tokenTenant} gives no access to tenant ${pathTenant}`);
  const tenant = await request.platform.registry.get(tokenTenant);
  if (!tenant) throw new AuthenticationError(`tenant ${tokenTenant} no longer exists; log in again`);
  if (tenant.profile.status !== 'active') throw new AccessDeniedError(`tenant ${tokenTenant} is disabled; ask the platform operator to enable it`);
  return tenant;
}

async function toRequest(event: APIGatewayProxyEventV2, platformOf: () => Promise<Platform>): Promise<Omit<HttpRequest, 'body'>> {
  return { event, platform: await platformOf(), query: event.queryStringParameters ?? {}, path: event.pathParameters ?? {} };
}

/**
 * A route answering bodies of type `Body`, its type in the API's contract.
 * `Body` is never inferred from the route (`NoInfer`) and defaults to `never`,
 * so a handler must name it, and a body that lacks a property of it or has one
 * of another type fails the type check. TypeScript looks for extra properties
 * only in an object literal checked against a type, not in what a callback
 * returns: a handler that writes its body as an object literal marks it
 * `satisfies` the type as well.
 */
type Route<Request, Body> = (request: Request) => HttpResult<NoInfer<Body>> | Promise<HttpResult<NoInfer<Body>>>;

function toResponse(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const response = jsonResponse(result.status ?? 200, result.body, result.headers);
  return result.cookies?.length ? { ...response, cookies: result.cookies } : response;
}

/** The one error mapping every HTTP function shares. */
const mapErrors = {
  onError: (request: { error: unknown; response: unknown }) => {
    request.response = errorResponse(request.error);
  },
};

/**
 * An HTTP function without authentication (login).
 *
 * @example
 * export const handler = publicHttpHandler<OperatorLoginResponse>(async ({ platform }) => ({
 *   body: { token, tokenType: 'Bearer', role: 'operator', expiresAt } satisfies OperatorLoginResponse,
 * }));
 */
export function publicHttpHandler<Body = never>(route: Route<HttpRequest, Body>, platformOf: () => Promise<Platform> = platform) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(lambdaLogContext)
    .use(mapErrors)
    .handler(async (event) => toResponse(await route({ ...(await toRequest(event, platformOf)), body: parseBody(event) })));
}

/**
 * An HTTP function under `/tenants/{tenant}/...`: the bearer token must belong
 * to that tenant (else 403), and the tenant must be active.
 *
 * @example
 * export const handler = tenantHttpHandler<MetricSeries>(async ({ tenant, platform }) => ({ body: await platform.metrics.series(tenant.id, window) }));
 */
export function tenantHttpHandler<Body = never>(route: Route<TenantRequest, Body>, platformOf: () => Promise<Platform> = platform) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(lambdaLogContext)
    .use(mapErrors)
    .handler(async (event) => {
      const request = await toRequest(event, platformOf);
      const tenant = await authorize(request);
      return toResponse(await route({ ...request, tenant, body: parseBody(event) }));
    });
}

/**
 * An HTTP function under `/operator/...`: the bearer token must be an
 * operator's (`POST /operator/login`); a tenant's token is refused (403).
 *
 * @example
 * export const handler = operatorHttpHandler<PlatformOverview>(async ({ platform }) => ({ body: await platform.operator.overview(window) }));
 */
export function operatorHttpHandler<Body = never>(route: Route<HttpRequest, Body>, platformOf: () => Promise<Platform> = platform) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(lambdaLogContext)
    .use(mapErrors)
    .handler(async (event) => {
      const request = await toRequest(event, platformOf);
      const token = (event.headers.authorization ?? event.headers.Authorization)?.match(/^Bearer\s+(\S+)$/i)?.[1];
      if (!token) throw new AuthenticationError('missing bearer token: log in with POST /operator/login and send "Authorization: Bearer <token>"');
      await request.platform.operatorTokens.verify(token);
      return toResponse(await route({ ...request, body: parseBody(event) }));
    });
}
