import cassandra from 'cassandra-driver';
import { isSchemaStatement } from './cql';

type RetryPolicy = cassandra.policies.retry.RetryPolicy;
type OperationInfo = Parameters<RetryPolicy['onWriteTimeout']>[0];
type Decision = ReturnType<RetryPolicy['onWriteTimeout']>;

/**
 * The driver's retries on a cluster: a statement marked idempotent (every
 * upsert and read the platform sends; lightweight transactions are not) that
 * timed out at its coordinator is sent once more, to the next node of its
 * query plan: a write may or may not have been applied, and applying it again
 * changes nothing. An unavailable replica set is tried once on the next node
 * too (the driver's own rule). A schema statement is never sent again (see
 * `isSchemaStatement`). Anything else goes back to the platform, which waits
 * an outage out or refuses the input.
 */
export class IdempotentRetryPolicy extends cassandra.policies.retry.RetryPolicy {
  override onWriteTimeout(info: OperationInfo, consistency: cassandra.types.consistencies): Decision {
    return info.nbRetry === 0 && info.executionOptions.isIdempotent() && !isSchemaStatement(info.query)
      ? this.retryResult(consistency, false)
      : this.rethrowResult();
  }

  /** A lost connection or a client timeout: the statement may have run; an idempotent one is sent to the next node. */
  override onRequestError(info: OperationInfo, consistency: cassandra.types.consistencies, error: Error): Decision {
    return isSchemaStatement(info.query) ? this.rethrowResult() : super.onRequestError(info, consistency, error);
  }

  override onReadTimeout(info: OperationInfo, consistency: cassandra.types.consistencies): Decision {
    return info.nbRetry === 0 ? this.retryResult(consistency, false) : this.rethrowResult();
  }
}
