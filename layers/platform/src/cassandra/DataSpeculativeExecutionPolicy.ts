import cassandra from 'cassandra-driver';
import { isSchemaStatement } from './cql';

/**
 * Speculative executions for the platform's data statements: an idempotent
 * read or write without an answer after `delayMs` is also sent to the next
 * replica (once), so a node that died unseen costs a second, not a timeout.
 * Schema statements are never sent twice (see {@link isSchemaStatement}).
 */
export class DataSpeculativeExecutionPolicy extends cassandra.policies.speculativeExecution.ConstantSpeculativeExecutionPolicy {
  override newPlan(keyspace: string, queryInfo: string | object[]): { nextExecution: () => number } {
    if (typeof queryInfo === 'string' && isSchemaStatement(queryInfo)) return { nextExecution: () => -1 };
    return super.newPlan(keyspace, queryInfo) as { nextExecution: () => number };
  }
}
