/** The most nodes a local cluster may have: one loopback address each, 127.0.0.1 to 127.0.0.9. */
export const MAX_LOCAL_CASSANDRA_NODES = 9;

/**
 * How many Cassandra nodes the local cloud runs: `MYSIMBDP_CASSANDRA_NODES`
 * (1 by default, as `npm start` runs; 3 for the cluster tests and benchmarks).
 *
 * @example
 * cassandraNodeCount({ MYSIMBDP_CASSANDRA_NODES: '3' }); // 3
 */
export function cassandraNodeCount(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.MYSIMBDP_CASSANDRA_NODES ?? '1';
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > MAX_LOCAL_CASSANDRA_NODES) {
    throw new RangeError(`MYSIMBDP_CASSANDRA_NODES is a whole number from 1 to ${MAX_LOCAL_CASSANDRA_NODES}, not "${text}"`);
  }
  return count;
}

/** The loopback address of node `node` (1-based): 127.0.0.1, 127.0.0.2, ... */
export function cassandraNodeAddress(node: number): string {
  return `127.0.0.${node}`;
}

/** The CQL contact points of a local cluster of `nodes`. */
export function cassandraContactPoints(nodes: number): string[] {
  return Array.from({ length: nodes }, (_, index) => `${cassandraNodeAddress(index + 1)}:9042`);
}

/** The replication factor a local cluster of `nodes` gives every keyspace: three copies where it can, as production. */
export function localReplicationFactor(nodes: number): number {
  return Math.min(3, nodes);
}
