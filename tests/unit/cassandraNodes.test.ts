import { cassandraContactPoints, cassandraNodeCount, localReplicationFactor } from '../../localstack/services/cassandraNodes';
import { CassandraService } from '../../localstack/services/CassandraService';

describe('the local Cassandra cluster', () => {
  it('runs one node unless told, at most nine, one loopback address each', () => {
    expect(cassandraNodeCount({})).toBe(1);
    expect(cassandraNodeCount({ MYSIMBDP_CASSANDRA_NODES: '3' })).toBe(3);
    expect(() => cassandraNodeCount({ MYSIMBDP_CASSANDRA_NODES: '0' })).toThrow('MYSIMBDP_CASSANDRA_NODES is a whole number from 1 to 9, not "0"');
    expect(() => cassandraNodeCount({ MYSIMBDP_CASSANDRA_NODES: 'three' })).toThrow(/not "three"/);
    expect(cassandraContactPoints(3)).toEqual(['127.0.0.1:9042', '127.0.0.2:9042', '127.0.0.3:9042']);
  });

  it('keeps three copies where it has three nodes, as many as it has below that', () => {
    expect([1, 2, 3, 5].map(localReplicationFactor)).toEqual([1, 2, 3, 3]);
  });

  it("names a single node as it always was, and a cluster's nodes by number, each with its address and JMX port", () => {
    const single = new CassandraService(1, 1);
    expect([single.name, single.jmxPort]).toEqual(['cassandra', 7199]);
    expect(single.description).toMatch(/one node\), CQL on 127\.0\.0\.1:9042/);
    const third = new CassandraService(3, 3);
    expect([third.name, third.jmxPort, third.logFile.endsWith('cassandra3.log')]).toEqual(['cassandra3', 7201, true]);
    expect(third.description).toMatch(/node 3 of 3, CQL on 127\.0\.0\.3:9042, JMX on 127\.0\.0\.1:7201/);
  });
});
