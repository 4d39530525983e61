import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AccessDeniedError,
  AuthenticationError,
  classifyFailure,
  ConfigurationError,
  ConflictError,
  ConstraintViolationError,
  DeferredError,
  InvalidInputError,
  NotFoundError,
  PlatformError,
  platformLogger,
  RetryAfterError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedMediaTypeError,
  type ErrorBody,
} from '../../layers/platform/src';

const STATUS = new Map<new (...args: never[]) => PlatformError, number>([
  [InvalidInputError, 400],
  [AuthenticationError, 401],
  [AccessDeniedError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [UnsupportedMediaTypeError, 415],
  [ConstraintViolationError, 422],
  [TooManyRequestsError, 429],
  [ConfigurationError, 500],
  [ServiceUnavailableError, 503],
  [DeferredError, 503],
]);

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/**
 * The one mapping from errors to HTTP responses: a platform error becomes its
 * status code and a JSON body a person can act on; a service that is down
 * (Cassandra, S3, SQS, RabbitMQ, however its client says it) is a 503 with
 * `Retry-After`; anything else is a 500 whose details go to the log, never to
 * the client.
 *
 * @example
 * errorResponse(new ConstraintViolationError('maxFileSize', 'a.csv is 12 MiB; the limit is 10 MiB'));
 * // 422 {"error":"CONSTRAINT_VIOLATION","message":"a.csv is 12 MiB; ...","constraint":"maxFileSize"}
 */
export function errorResponse(thrown: unknown): APIGatewayProxyStructuredResultV2 {
  const error = classifyFailure(thrown);
  if (error instanceof PlatformError) {
    const status = [...STATUS].find(([type]) => error instanceof type)?.[1] ?? 500;
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
