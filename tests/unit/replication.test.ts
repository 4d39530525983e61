import cassandra from 'cassandra-driver';
import { DataSpeculativeExecutionPolicy } from '../../layers/platform/src/cassandra/DataSpeculativeExecutionPolicy';
import { IdempotentRetryPolicy } from '../../layers/platform/src/cassandra/IdempotentRetryPolicy';
import { KeyspaceSchema } from '../../layers/platform/src/cassandra/KeyspaceSchema';
import {
  checkReplicationFits,
  formatReplication,
  parseReplication,
  readReplication,
  replicationLiteral,
  withFactor,
} from '../../layers/platform/src/cassandra/Replication';
import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { ConfigurationError } from '../../layers/platform/src/errors';
import { tenantReplication } from '../../layers/platform/src/provisioning/provisionPlatform';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';

/** A client whose cluster has these nodes, by data center. */
function clusterOf(nodes: Record<string, number>): cassandra.Client {
  const hosts = Object.entries(nodes).flatMap(([datacenter, count]) => Array.from({ length: count }, () => ({ datacenter })));
  return { hosts: { values: () => hosts } } as unknown as cassandra.Client;
}

describe('replication', () => {
  it('reads copies per data center, as data center:copies or as NetworkTopologyStrategy JSON', () => {
    expect(parseReplication('datacenter1:3')).toEqual({ datacenter1: 3 });
    expect(parseReplication('eu:3, us:2')).toEqual({ eu: 3, us: 2 });
    expect(parseReplication('{"class":"NetworkTopologyStrategy","dc1":"3"}')).toEqual({ dc1: 3 });
    expect(replicationLiteral({ dc1: 3 })).toBe("{'class': 'NetworkTopologyStrategy', 'dc1': 3}");
    // The functions' environment carries the setting in its own form.
    expect(formatReplication({ eu: 3, us: 2 })).toBe('eu:3,us:2');
    expect(parseReplication(formatReplication({ eu: 3, us: 2 }))).toEqual({ eu: 3, us: 2 });
  });

  it('refuses SimpleStrategy and settings without a data center or a number of copies', () => {
    expect(() => parseReplication('{"class":"SimpleStrategy","replication_factor":1}')).toThrow(/NetworkTopologyStrategy .* not "SimpleStrategy"/);
    expect(() => parseReplication('3')).toThrow(ConfigurationError);
    expect(() => parseReplication('dc1:0')).toThrow(/data center:copies/);
  });

  it('is one copy in the local data center unless configured, and a tenant may ask for its own number of copies', () => {
    const config = loadPlatformConfig({ CASSANDRA_LOCAL_DC: 'dc1' });
    expect(config.cassandra.replication).toEqual({ dc1: 1 });
    const cluster = loadPlatformConfig({ CASSANDRA_REPLICATION: 'eu:3,us:3' });
    expect(tenantReplication(cluster, {})).toEqual({ eu: 3, us: 3 });
    expect(tenantReplication(cluster, { replicationFactor: 2 })).toEqual({ eu: 2, us: 2 });
    expect(withFactor({ a: 1, b: 5 }, 3)).toEqual({ a: 3, b: 3 });
  });

  it('refuses more copies than a data center has nodes, naming the nodes it has', () => {
    expect(() => checkReplicationFits(clusterOf({ datacenter1: 3 }), { datacenter1: 3 }, 'tenant zoo')).not.toThrow();
    expect(() => checkReplicationFits(clusterOf({ datacenter1: 3 }), { datacenter1: 4 }, "tenant zoo's keyspace")).toThrow(
      "tenant zoo's keyspace asks for 4 copies in data center datacenter1, which has 3 nodes (the cluster's data centers: datacenter1 3)",
    );
    expect(() => checkReplicationFits(clusterOf({ datacenter1: 1 }), { eu: 1 }, 'the platform keyspace')).toThrow(/data center eu, which has 0 nodes/);
  });

  it("reads a keyspace's replication as Cassandra reports it", () => {
    const reported = new Map([
      ['class', 'org.apache.cassandra.locator.NetworkTopologyStrategy'],
      ['datacenter1', '3'],
    ]);
    expect(readReplication(reported)).toEqual({ datacenter1: 3 });
    expect(readReplication({ class: 'org.apache.cassandra.locator.SimpleStrategy', replication_factor: '1' })).toBeUndefined();
  });
});

describe("the driver's retries", () => {
  const policy = new IdempotentRetryPolicy();
  const info = (idempotent: boolean, nbRetry = 0, query = 'INSERT INTO t (a) VALUES (?)') =>
    ({ query, nbRetry, executionOptions: { isIdempotent: () => idempotent } }) as unknown as Parameters<IdempotentRetryPolicy['onWriteTimeout']>[0];
  // The driver's decisions, as its code has them (its type declarations name them elsewhere).
  const { retry, rethrow } = (cassandra.policies.retry.RetryPolicy as unknown as { retryDecision: { retry: number; rethrow: number } }).retryDecision;
  const LOCAL_QUORUM = cassandra.types.consistencies.localQuorum;

  it('sends an idempotent write that timed out once more, to the next node; never a lightweight transaction', () => {
    expect(policy.onWriteTimeout(info(true), LOCAL_QUORUM)).toMatchObject({ decision: retry, useCurrentHost: false });
    expect(policy.onWriteTimeout(info(true, 1), LOCAL_QUORUM)).toMatchObject({ decision: rethrow });
    expect(policy.onWriteTimeout(info(false), LOCAL_QUORUM)).toMatchObject({ decision: rethrow });
  });

  it('sends a read that timed out once more, to the next node', () => {
    expect(policy.onReadTimeout(info(true), LOCAL_QUORUM)).toMatchObject({ decision: retry, useCurrentHost: false });
    expect(policy.onReadTimeout(info(true, 1), LOCAL_QUORUM)).toMatchObject({ decision: rethrow });
  });

  it('never sends a schema statement twice: no retry, no speculative execution (a second DROP finds its permission gone)', () => {
    const drop = 'DROP KEYSPACE IF EXISTS test_tenant_zoo';
    expect(policy.onWriteTimeout(info(true, 0, drop), LOCAL_QUORUM)).toMatchObject({ decision: rethrow });
    expect(policy.onRequestError(info(true, 0, drop), LOCAL_QUORUM, new Error('socket hang up'))).toMatchObject({ decision: rethrow });
    expect(policy.onRequestError(info(true), LOCAL_QUORUM, new Error('socket hang up'))).toMatchObject({ decision: retry });
    const speculation = new DataSpeculativeExecutionPolicy(1000, 1);
    const plan = (query: string) => speculation.newPlan('ks', query);
    expect(plan('  create table ks.t (a int primary key)').nextExecution()).toBe(-1);
    const data = plan('SELECT * FROM ks.t WHERE a = ?');
    expect([data.nextExecution(), data.nextExecution()]).toEqual([1000, -1]);
  });
});

describe('tables on a cluster', () => {
  it('waits for every node to agree on the schema after making a table, and once per process before writing to one it finds', async () => {
    const client = new FakeCassandraClient();
    const schema = new KeyspaceSchema(client.asClient(), 'unit_tenant_zoo');
    const table = { name: 'readings', columns: { id: 'text' as const }, partitionKey: ['id'] };
    await schema.ensureTables([table]);
    expect(client.metadata.agreementChecks).toBe(1);
    client.defineTable('unit_tenant_zoo', table);
    const other = new FakeCassandraClient();
    other.defineTable('unit_tenant_zoo', table);
    const found = new KeyspaceSchema(other.asClient(), 'unit_tenant_zoo');
    await found.ensureTables([table]);
    await found.ensureTables([table]);
    expect(other.metadata.agreementChecks).toBe(1);
  });
});
