import cassandra from 'cassandra-driver';
import type { PlatformConfig } from '../config/PlatformConfig';

/**
 * Reconnection to a node that went down: at once, then every 250 ms doubling
 * to 2 s. The driver's default (1 s doubling to 10 minutes) suits a long-lived
 * server with many nodes; a function whose only node restarts would answer
 * "no host available" for minutes after the node is back.
 */
export const RECONNECTION_POLICY = new cassandra.policies.reconnection.ExponentialReconnectionPolicy(250, 2000, true);

/**
 * A Cassandra client for the platform: token-aware, prepared statements by
 * default, LOCAL_QUORUM, `bigint` for CQL `bigint` columns, and back within
 * seconds of a node that restarts ({@link RECONNECTION_POLICY}).
 *
 * @example
 * const client = createCassandraClient(platformConfig());
 * await client.connect();
 */
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
    encoding: { useBigIntAsLong: true, useBigIntAsVarint: true, map: Map },
    queryOptions: { prepare: true, consistency: cassandra.types.consistencies.localQuorum },
    socketOptions: { connectTimeout: options.connectTimeoutMs ?? 5000, readTimeout: options.readTimeoutMs ?? 20000 },
    pooling: { coreConnectionsPerHost: { [cassandra.types.distance.local]: 2 } },
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
    policies: { reconnection: RECONNECTION_POLICY },
  });
}
