import { cqlString } from '../../layers/platform/src';
import { cassandraNodeCount, localReplicationFactor } from './cassandraNodes';
import { cassandraAdminCredentials, connectLocalCassandra, ensureCassandraRoles } from './cassandraRoles';
import { CassandraService } from './CassandraService';

/**
 * Cassandra's own keyspaces that a node needs to serve a login and to repair:
 * at replication 1 the node holding a role's row takes every login of that
 * role with it when it dies. `system_auth` comes last: once its replication
 * grows, a node may read a role from a new replica that holds no row until
 * the repair, and find the superuser making the change no superuser at all.
 */
const SYSTEM_KEYSPACES = ['system_distributed', 'system_traces', 'system_auth'] as const;

const NETWORK_TOPOLOGY = 'org.apache.cassandra.locator.NetworkTopologyStrategy';

/**
 * The local Cassandra: one node, or a cluster of N (`MYSIMBDP_CASSANDRA_NODES`)
 * in one data center, each node a {@link CassandraService} on its own loopback
 * address. Starting it brings up the nodes that were members before all at
 * once (a restart), then lets each new node join alone, as Cassandra requires;
 * once every node serves, the roles are made (see `ensureCassandraRoles`) and
 * Cassandra's own keyspaces that logins depend on are replicated like the
 * platform's (three copies, `NetworkTopologyStrategy`), repaired once when
 * that changed.
 *
 * @example
 * const cluster = new CassandraCluster(3);
 * const started = await cluster.start(console.log);
 * console.log(cluster.node(1).nodetool(['status']));
 */
export class CassandraCluster {
  readonly nodes: readonly CassandraService[];

  constructor(count = cassandraNodeCount()) {
    this.nodes = Array.from({ length: count }, (_, index) => new CassandraService(index + 1, count));
  }

  node(node: number): CassandraService {
    const found = this.nodes[node - 1];
    if (!found) throw new RangeError(`the local cluster has nodes 1 to ${this.nodes.length}, not ${node}`);
    return found;
  }

  async install(progress: (message: string) => void): Promise<void> {
    // The nodes share one install.
    await this.node(1).install(progress);
  }

  /** Starts the nodes that do not run; returns the names of those it started. */
  async start(progress: (message: string) => void): Promise<string[]> {
    const started: string[] = [];
    const startOne = async (node: CassandraService): Promise<void> => {
      if (await node.startSaying(progress)) started.push(node.name);
    };
    try {
      await Promise.all(this.nodes.filter((node) => node.isMember()).map(startOne));
      for (const node of this.nodes.filter((candidate) => !started.includes(candidate.name) && !candidate.isMember())) await startOne(node);
      if (this.nodes.length > 1) {
        await ensureCassandraRoles();
        await this.replicateSystemKeyspaces(progress);
      }
    } catch (error) {
      await Promise.all(this.nodes.filter((node) => started.includes(node.name)).map((node) => node.stop()));
      throw error;
    }
    return started;
  }

  /**
   * Gives Cassandra's own keyspaces the cluster's replication (three copies
   * where there are three nodes), and repairs `system_auth` when it changed, so
   * that every role is on every replica before a node may die. Nothing is read
   * as the superuser between `system_auth`'s change and its repair.
   */
  async replicateSystemKeyspaces(progress: (message: string) => void): Promise<void> {
    const factor = localReplicationFactor(this.nodes.length);
    const client = await connectLocalCassandra(cassandraAdminCredentials());
    const changed: string[] = [];
    try {
      for (const keyspace of SYSTEM_KEYSPACES) {
        const row = (await client.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
        const replication = (row?.get('replication') as Map<string, string> | Record<string, string> | null) ?? {};
        const entries = replication instanceof Map ? Object.fromEntries(replication) : replication;
        if (entries.class === NETWORK_TOPOLOGY && entries.datacenter1 === String(factor)) continue;
        await client.execute(`ALTER KEYSPACE ${keyspace} WITH replication = {'class': 'NetworkTopologyStrategy', ${cqlString('datacenter1')}: ${factor}}`);
        changed.push(keyspace);
      }
    } finally {
      await client.shutdown();
    }
    if (changed.includes('system_auth')) {
      progress(`cassandra: ${changed.join(', ')} now at replication ${factor}; repairing system_auth`);
      this.node(1).nodetool(['repair', '--full', 'system_auth']);
    }
  }

  async stop(): Promise<string[]> {
    const stopped: string[] = [];
    await Promise.all(
      this.nodes.map(async (node) => {
        if (await node.stop()) stopped.push(node.name);
      }),
    );
    return stopped;
  }
}
