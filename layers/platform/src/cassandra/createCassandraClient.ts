import cassandra from 'cassandra-driver';
import type { PlatformConfig } from '../config/PlatformConfig';

/**
 * A Cassandra client for the platform: token-aware, prepared statements by
 * default, LOCAL_QUORUM, and `bigint` for CQL `bigint` columns.
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
  });
}
