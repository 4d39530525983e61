import type { PlatformService, ProfileConstraint } from './http/contract';

/**
 * The platform's typed errors. The core throws these; each adapter maps them
 * once: HTTP handlers to a status code (`functions/http/errorResponse.ts`),
 * CLIs to an exit code, SQS handlers to a batch item failure.
 *
 * Every message says what was wrong and, where it helps, what to do.
 *
 * @example
 * throw new ConstraintViolationError('maxFileSize', 'big.csv is 12 MiB; the limit is 10 MiB');
 */
export abstract class PlatformError extends Error {
  /** A stable, machine-readable code, e.g. `CONSTRAINT_VIOLATION`. */
  abstract readonly code: string;

  constructor(
    message: string,
    /** Extra facts a client can act on (the constraint, the limit, a retry delay). */
    readonly details: Record<string, unknown> = {},
    /** The error this one wraps (`cause`), for the log; never shown to a client. */
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request itself is malformed: missing field, wrong type, unsafe name. */
export class InvalidInputError extends PlatformError {
  readonly code = 'INVALID_INPUT';
}

/** Wrong or missing credentials, or an invalid, tampered or expired token. */
export class AuthenticationError extends PlatformError {
  readonly code = 'UNAUTHENTICATED';
}

/** Authenticated, but not allowed: another tenant's resources, a disabled tenant. */
export class AccessDeniedError extends PlatformError {
  readonly code = 'ACCESS_DENIED';
}

/** The request body is not in a media type the route takes (every JSON route takes `application/json` only). */
export class UnsupportedMediaTypeError extends PlatformError {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';
}

export class NotFoundError extends PlatformError {
  readonly code = 'NOT_FOUND';
}

export class ConflictError extends PlatformError {
  readonly code = 'CONFLICT';
}

/** A tenant profile constraint refuses the request; `constraint` names it. */
export class ConstraintViolationError extends PlatformError {
  readonly code = 'CONSTRAINT_VIOLATION';

  constructor(
    readonly constraint: ProfileConstraint,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, { constraint, ...details }, options);
  }
}

/** An error that says when to try again: `retryAfterSeconds`. */
export abstract class RetryAfterError extends PlatformError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, { retryAfterSeconds }, options);
  }
}

/** Too many attempts; `retryAfterSeconds` says when to try again. */
export class TooManyRequestsError extends RetryAfterError {
  readonly code = 'TOO_MANY_REQUESTS';
}

// The services an error names are the API's: `service` in an error's body.
export type { PlatformService } from './http/contract';

/**
 * A service the platform depends on (Cassandra, S3, SQS, RabbitMQ) is
 * unreachable or overloaded: nothing was wrong with the request, so it is
 * waited out (HTTP 503 with `Retry-After`, SQS messages put back without using
 * up their tries), never refused as bad input.
 */
export class ServiceUnavailableError extends PlatformError {
  readonly code = 'SERVICE_UNAVAILABLE';
  readonly service: PlatformService;
  /** When a try has a chance to succeed. */
  readonly retryAfterSeconds: number;

  constructor(message: string, details: { service?: PlatformService; retryAfterSeconds?: number } & Record<string, unknown> = {}, options?: ErrorOptions) {
    const service = details.service ?? 'platform';
    const retryAfterSeconds = details.retryAfterSeconds ?? 5;
    super(message, { ...details, service, retryAfterSeconds }, options);
    this.service = service;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Work that cannot be done now for a reason that is no fault (a disabled
 * tenant's stream messages): it waits, for as long as it takes, and never
 * counts as a failed try.
 */
export class DeferredError extends RetryAfterError {
  readonly code = 'DEFERRED';
}

/**
 * An error of the tenant's input (a record, a file, the tables it asks for),
 * not of the platform or a service: another try of the same input fails the
 * same way. A file that fails with one is refused at once instead of retried
 * (`inputErrorReason`); a record that does, counted as a bad row.
 */
export abstract class InputError extends PlatformError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, {}, options);
  }
}

/** The platform itself is misconfigured (environment, tenant profile). */
export class ConfigurationError extends PlatformError {
  readonly code = 'CONFIGURATION_ERROR';
}
