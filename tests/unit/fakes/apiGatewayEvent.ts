import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** A request as the HTTP API hands it to a function: JSON `body` (or `rawBody` as it is, with its `contentType`), a bearer `token`, path parameters. */
export interface ApiRequest {
  readonly method?: string;
  readonly token?: string;
  readonly tenant?: string;
  readonly ingestionId?: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly sourceIp?: string;
}

/** An API Gateway (HTTP API, payload 2.0) event for a request. */
export function apiGatewayEvent(request: ApiRequest): APIGatewayProxyEventV2 {
  const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const contentType = request.contentType ?? (request.body === undefined ? undefined : 'application/json');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
      ...request.headers,
    },
    cookies: request.cookies,
    pathParameters: { ...(request.tenant ? { tenant: request.tenant } : {}), ...(request.ingestionId ? { ingestionId: request.ingestionId } : {}) },
    queryStringParameters: request.query,
    body,
    isBase64Encoded: false,
    requestContext: { http: { method: request.method ?? 'GET', sourceIp: request.sourceIp ?? '203.0.113.7' } } as APIGatewayProxyEventV2['requestContext'],
  };
}
