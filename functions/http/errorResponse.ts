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
  type ErrorCode,
} from '../../layers/platform/src';

/** A platform error the API answers with: its code is one of the API's (each class of the table below must have one). */
type ApiFailure = PlatformError & { readonly code: ErrorCode };

const STATUS = new Map<abstract new (...args: never[]) => ApiFailure, number>([
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

/** The error as the API answers it, with its status; none for an error the table lacks. */
function statusOf(error: unknown): [ApiFailure, number] | undefined {
  for (const [type, status] of STATUS) if (error instanceof type) return [error, status];
  return undefined;
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
  const known = statusOf(error);
  if (known) {
    const [failure, status] = known;
    if (status >= 500) platformLogger.error(failure.message, { code: failure.code, error: failure });
    const retryAfter = failure instanceof RetryAfterError || failure instanceof ServiceUnavailableError ? failure.retryAfterSeconds : undefined;
    const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
    const body: ErrorBody = { error: failure.code, message: failure.message, ...failure.details };
    return jsonResponse(status, body, headers);
  }
  platformLogger.error('unexpected error', { error });
  const body: ErrorBody = { error: 'INTERNAL_ERROR', message: 'the platform failed to handle the request; the operator can find it in the logs' };
  return jsonResponse(500, body);
}
