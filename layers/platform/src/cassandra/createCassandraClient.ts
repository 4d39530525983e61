import cassandra from 'cassandra-driver';
import type { PlatformConfig } from '../config/PlatformConfig';
import { DataSpeculativeExecutionPolicy } from './DataSpeculativeExecutionPolicy';
import { IdempotentRetryPolicy } from './IdempotentRetryPolicy';

/**
 * Reconnection to a node that went down: at once, then every 250 ms doubling
 * to 2 s. The driver's default (1 s doubling to 10 minutes) suits a long-lived
 * server with many nodes; a function whose only node restarts would answer
 * "no host available" for minutes after the node is back.
 */
export const RECONNECTION_POLICY = new cassandra.policies.reconnection.ExponentialReconnectionPolicy(250, 2000, true);

/** After this long without an answer, an idempotent statement is also sent to the next replica (a node that died unseen). */
export const SPECULATIVE_DELAY_MS = 1000;

/**
 * A Cassandra client for the platform, made for a cluster:
 *
 * - routing: token-aware and data-center-aware (the driver's default policy,
 *   with `localDataCenter`): a statement goes straight to a replica of its
 *   partition in the local data center;
 * - consistency: LOCAL_QUORUM for reads and writes (two of three copies: one
 *   node down is no outage, and a read sees every acknowledged write),
 *   LOCAL_SERIAL for lightweight transactions (see `LIGHTWEIGHT_TRANSACTION`);
 * - statements are idempotent unless marked otherwise (every write is an
 *   upsert by primary key), so a timeout or a lost node is retried on the
 *   next replica ({@link IdempotentRetryPolicy}), and a replica slower than
 *   {@link SPECULATIVE_DELAY_MS} gets a second, speculative, execution
 *   ({@link DataSpeculativeExecutionPolicy}); schema statements never do;
 * - prepared statements, `bigint` for CQL `bigint` columns, and back within
 *   seconds of a node that restarts ({@link RECONNECTION_POLICY}).
 *
 * @example
 * const client = createCassandraClient(platformConfig());
 * await client.connect();
 */
/** How the client maps values: `bigint` for CQL `bigint` and `varint`, a JavaScript `Map` for CQL maps. */
export const CLIENT_ENCODING = { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map };

export function createCassandraClient(
  config: PlatformConfig,
  options: { keyspace?: string; connectTimeoutMs?: number; readTimeoutMs?: number } = {},
): cassandra.Client {
  const { username, password } = config.cassandra;
  return new cassandra.Client({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    ...(options.keyspace ? { keyspace: options.keyspace } : {}),
    ...(username && password ? { credentials: { username, password } } : {}),
    encoding: CLIENT_ENCODING,
    queryOptions: { prepare: true, consistency: cassandra.types.consistencies.localQuorum, isIdempotent: true },
    socketOptions: { connectTimeout: options.connectTimeoutMs ?? 5000, readTimeout: options.readTimeoutMs ?? 20000 },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2 } },
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
    policies: {
      reconnection: RECONNECTION_POLICY,
      retry: new IdempotentRetryPolicy(),
      speculativeExecution: new DataSpeculativeExecutionPolicy(SPECULATIVE_DELAY_MS, 1),
    },
  });
}
