import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  classifyFailure,
  PlatformError,
  platformLogger,
  RetryAfterError,
  ServiceUnavailableError,
  type ErrorBody,
  type ErrorCode,
} from '../../layers/platform/src';

/** The codes of the errors the API answers with a status of their own: every code of the API's but `INTERNAL_ERROR`. */
type ApiErrorCode = Exclude<ErrorCode, 'INTERNAL_ERROR'>;

/** A platform error the API answers with: its code is one of the table below. */
type ApiFailure = PlatformError & { readonly code: ApiErrorCode };

/** The status of each error code of the API (the error classes carry the codes; `errors.ts` says which class has which). */
const STATUS: Record<ApiErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHENTICATED: 401,
  ACCESS_DENIED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CONSTRAINT_VIOLATION: 422,
  TOO_MANY_REQUESTS: 429,
  CONFIGURATION_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
  DEFERRED: 503,
};

/** Whether the API answers with this error: a platform error whose code has a status in the table (any other, its tenant-file errors among them, is a 500). */
function isApiFailure(error: unknown): error is ApiFailure {
  return error instanceof PlatformError && Object.hasOwn(STATUS, error.code);
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The one mapping from errors to HTTP responses: a platform error of the
 * table becomes its status code and a JSON body a person can act on; a service
 * that is down (Cassandra, S3, SQS, RabbitMQ, however its client says it) is a
 * 503 with `Retry-After`; anything else (an error of a tenant's file among
 * them, which no route throws) is a 500 whose details go to the log, never to
 * the client.
 *
 * @example
 * errorResponse(new ConstraintViolationError('maxFileSize', 'a.csv is 12 MiB; the limit is 10 MiB'));
 * // 422 {"error":"CONSTRAINT_VIOLATION","message":"a.csv is 12 MiB; ...","constraint":"maxFileSize"}
 */
export function errorResponse(thrown: unknown): APIGatewayProxyStructuredResultV2 {
  const error = classifyFailure(thrown);
  if (isApiFailure(error)) {
    const status = STATUS[error.code];
    if (status >= 500) platformLogger.error(error.message, { code: error.code, error });
    const retryAfter = error instanceof RetryAfterError || error instanceof ServiceUnavailableError ? error.retryAfterSeconds : undefined;
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const body: ErrorBody = { error: error.code, message: error.message, ...error.details };
    return jsonResponse(status, body, headers);
  }
  platformLogger.error('unexpected error', { error });
  const body: ErrorBody = { error: 'INTERNAL_ERROR', message: 'the platform failed to handle the request; the operator can find it in the logs' };
  return jsonResponse(500, body);
}
