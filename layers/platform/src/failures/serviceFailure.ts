import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import cassandra from 'cassandra-driver';
import { PlatformError, ServiceUnavailableError, type PlatformService } from '../errors';

/** Socket errors that mean the other end is down or gone, whoever the other end is. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

const codes = cassandra.types.responseErrorCodes;
/** Cassandra's answers that mean "not now" (the node is short of replicas, overloaded, starting, slow, failing inside, as while it shuts down), not "never". */
const CASSANDRA_UNAVAILABLE_CODES = new Set<number>([
  codes.serverError,
  codes.unavailableException,
  codes.overloaded,
  codes.isBootstrapping,
  codes.truncateError,
  codes.readTimeout,
  codes.writeTimeout,
]);

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly isSocketError?: boolean;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $fault?: string;
}

function connectionCode(error: ErrorLike, depth = 0): string | undefined {
  if (typeof error.code === 'string' && CONNECTION_CODES.has(error.code)) return error.code;
  const inMessage = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)\b/.exec(error.message ?? '')?.[1];
  if (inMessage) return inMessage;
  if (error.cause && typeof error.cause === 'object' && depth < 5) return connectionCode(error.cause, depth + 1);
  return undefined;
}

/**
 * What a node says when it is up but cannot reach enough replicas to check a
 * login, a permission or a statement: the cluster has lost a quorum of them,
 * which passes like any outage (the node itself answered, so the driver reports
 * it as an authentication or server error of the request).
 */
const QUORUM_LOST = /Cannot achieve consistency level|Unable to perform (authentication|authorization)|Operation timed out - received only/i;

function quorumLost(cause: unknown): boolean {
  return cause instanceof Error && QUORUM_LOST.test(cause.message);
}

function cassandraFailure(error: unknown): string | undefined {
  if (quorumLost(error) && (error instanceof cassandra.errors.AuthenticationError || error instanceof cassandra.errors.ResponseError)) {
    return 'too few Cassandra replicas answer';
  }
  if (error instanceof cassandra.errors.NoHostAvailableError) {
    // Every node refused the platform's credentials, or answered with an error of the request itself (a
    // statement that could not be prepared again, its table dropped): the nodes are up, so this is no outage.
    // The driver types them `any`: each node's error, by its address.
    const innerErrors: unknown = error.innerErrors;
    const inner = innerErrors && typeof innerErrors === 'object' ? Object.values(innerErrors) : [];
    const answered = (cause: unknown): boolean =>
      !quorumLost(cause) &&
      (cause instanceof cassandra.errors.AuthenticationError ||
        (cause instanceof cassandra.errors.ResponseError && !CASSANDRA_UNAVAILABLE_CODES.has(cause.code)));
    if (inner.length && inner.every(answered)) return undefined;
    return 'no Cassandra node is reachable';
  }
  if (error instanceof cassandra.errors.OperationTimedOutError) return 'Cassandra did not answer in time';
  if (error instanceof cassandra.errors.BusyConnectionError) return 'every connection to Cassandra is busy';
  if (error instanceof cassandra.errors.ResponseError)
    return CASSANDRA_UNAVAILABLE_CODES.has(error.code) ? 'Cassandra cannot serve the request now' : undefined;
  if ((error as ErrorLike).isSocketError) return 'the connection to Cassandra was lost';
  return undefined;
}

/** An AWS SDK error (it carries `$metadata`) that a later try can get past: 5xx, throttling, timeouts, lost connections. */
function awsFailure(error: ErrorLike): boolean {
  if (!error.$metadata) return false;
  const sdkError = error as Parameters<typeof isTransientError>[0];
  return isTransientError(sdkError) || isThrottlingError(sdkError) || isServerError(sdkError) || (error.$metadata.httpStatusCode ?? 0) >= 500;
}

/** Which service an error came from: the caller's word, else what the error says. */
function serviceOf(error: ErrorLike, hint: PlatformService | undefined): PlatformService {
  if (hint) return hint;
  const text = `${error.name ?? ''} ${error.message ?? ''}`;
  if (/5672|amqp|rabbit/i.test(text)) return 'rabbitmq';
  if (/9042|cassandra/i.test(text)) return 'cassandra';
  if (/queue|sqs/i.test(text)) return 'sqs';
  if (/lambda|event ?source/i.test(text)) return 'lambda';
  if (/bucket|s3/i.test(text)) return 's3';
  return 'platform';
}

/** amqplib's ways of saying the broker went away. */
function rabbitFailure(error: ErrorLike): boolean {
  const message = error.message ?? '';
  return (
    /Socket closed abruptly|CONNECTION[-_]FORCED|Connection closed: 3\d\d|Connection closing|Channel ended, no reply will be forthcoming/i.test(message) ||
    (error.name === 'IllegalOperationError' && /closed/i.test(message))
  );
}

/**
 * The {@link ServiceUnavailableError} an error means, or `undefined` when it
 * is not a service fault. The one place that knows how each client says
 * "the service is down":
 *
 * - Cassandra: NoHostAvailableError, OperationTimedOutError,
 *   BusyConnectionError, a lost socket, the answers unavailable,
 *   overloaded, isBootstrapping, truncateError, readTimeout and writeTimeout,
 *   and a login or permission a node could not check for want of replicas
 *   (a cluster that lost its quorum);
 * - AWS SDK (S3, SQS, Lambda): 5xx, throttling, timeouts, lost connections;
 * - RabbitMQ (amqplib): a lost or forced-closed connection;
 * - any client: connection refused or reset.
 *
 * Errors of the input or of the schema (Cassandra's syntax error, invalid
 * request, "keyspace does not exist"; an SQS queue that does not exist; an S3
 * access denied) are not service faults: they stay what they are.
 *
 * `service` names the service the caller was talking to, for errors that do
 * not say (a refused connection).
 *
 * @example
 * serviceFailure(new cassandra.errors.NoHostAvailableError({}))?.service; // 'cassandra'
 */
export function serviceFailure(error: unknown, service?: PlatformService): ServiceUnavailableError | undefined {
  if (error instanceof ServiceUnavailableError) return error;
  if (error instanceof PlatformError || !error || typeof error !== 'object') return undefined;
  const err = error as ErrorLike;
  const cassandraReason = cassandraFailure(error);
  if (cassandraReason) {
    return new ServiceUnavailableError(
      `${cassandraReason}: ${err.message ?? err.name ?? 'an error without a message'}`,
      { service: 'cassandra', retryAfterSeconds: 5 },
      { cause: error },
    );
  }
  if (awsFailure(err)) {
    const named = serviceOf(err, service);
    return new ServiceUnavailableError(
      `${named === 'platform' ? 'AWS' : named.toUpperCase()} is unavailable: ${err.name ?? 'Error'}: ${err.message ?? ''}`,
      {
        service: named,
        retryAfterSeconds: isThrottlingError(err as Parameters<typeof isThrottlingError>[0]) ? 2 : 5,
      },
      { cause: error },
    );
  }
  if (rabbitFailure(err)) {
    return new ServiceUnavailableError(`RabbitMQ is unavailable: ${err.message}`, { service: 'rabbitmq', retryAfterSeconds: 5 }, { cause: error });
  }
  const code = connectionCode(err);
  if (code) {
    const named = serviceOf(err, service);
    return new ServiceUnavailableError(
      `${named === 'platform' ? 'a service' : named} is unreachable (${code}): ${err.message ?? ''}`,
      {
        service: named,
        retryAfterSeconds: 5,
      },
      { cause: error },
    );
  }
  return undefined;
}

/**
 * The error as the platform treats it: a service fault becomes a
 * {@link ServiceUnavailableError} (to be waited out); anything else is
 * returned as it is (an error of the input, to be refused or counted as a try).
 *
 * @example
 * const failure = classifyFailure(error);
 * if (failure instanceof ServiceUnavailableError) retryLater(failure.retryAfterSeconds);
 */
export function classifyFailure(error: unknown, service?: PlatformService): unknown {
  return serviceFailure(error, service) ?? error;
}
