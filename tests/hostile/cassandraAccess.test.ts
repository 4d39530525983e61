import cassandra from 'cassandra-driver';
import {
  CASSANDRA_PLATFORM_ROLE,
  cassandraAdminCredentials,
  cassandraPlatformCredentials,
  connectLocalCassandra,
} from '../../localstack/services/cassandraRoles';

/**
 * The hostile-input catalogue, Cassandra: any local process could read every
 * tenant's keyspace and the registry (password hashes) while the node let
 * anyone in. It runs with PasswordAuthenticator and CassandraAuthorizer; the
 * platform connects with a role of its own.
 */
describe('Cassandra answers only those it knows, and each only what it was granted', () => {
  const refused = async (credentials?: { username: string; password: string }): Promise<string> => {
    const client = new cassandra.Client({
      contactPoints: ['127.0.0.1:9042'],
      localDataCenter: 'datacenter1',
      ...(credentials ? { credentials } : {}),
      socketOptions: { connectTimeout: 3000 },
    });
    try {
      await client.connect();
      await client.execute('SELECT tenant FROM test_mysimbdp.tenants');
      return 'connected';
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  };

  it('refuses a client without credentials', async () => {
    expect(await refused()).toMatch(/requires authentication/);
  });

  it('refuses the default superuser (it can log in no more) and a wrong password', async () => {
    expect(await refused({ username: 'cassandra', password: 'cassandra' })).toMatch(
      /is not permitted to log in|Provided username cassandra and\/or password are incorrect/,
    );
    expect(await refused({ username: CASSANDRA_PLATFORM_ROLE, password: 'not-the-password' })).toMatch(
      /Provided username mysimbdp_platform and\/or password are incorrect/,
    );
  });

  it('lets the platform role use what it owns, and not manage roles or read theirs', async () => {
    const client = await connectLocalCassandra(cassandraPlatformCredentials());
    try {
      expect((await client.execute('SELECT tenant FROM test_mysimbdp.tenants')).rows.length).toBeGreaterThan(0);
      await expect(client.execute("CREATE ROLE intruder WITH LOGIN = true AND PASSWORD = 'x'")).rejects.toThrow(
        'User mysimbdp_platform does not have sufficient privileges to perform the requested operation',
      );
      await expect(client.execute(`ALTER ROLE ${CASSANDRA_PLATFORM_ROLE} WITH SUPERUSER = true`)).rejects.toThrow(
        "You aren't allowed to alter your own superuser status",
      );
      await expect(client.execute('SELECT role, salted_hash FROM system_auth.roles')).rejects.toThrow(
        'User mysimbdp_platform has no SELECT permission on <table system_auth.roles>',
      );
    } finally {
      await client.shutdown();
    }
  });

  it("lets the node's own superuser (the operator's `localcloud cql`) in", async () => {
    const client = await connectLocalCassandra(cassandraAdminCredentials());
    try {
      const roles = (await client.execute('SELECT role, can_login, is_superuser FROM system_auth.roles')).rows.map((row): unknown[] => [
        row.get('role'),
        row.get('can_login'),
        row.get('is_superuser'),
      ]);
      expect(roles).toEqual(
        expect.arrayContaining([
          ['cassandra', false, false],
          ['mysimbdp_admin', true, true],
          [CASSANDRA_PLATFORM_ROLE, true, false],
        ]),
      );
    } finally {
      await client.shutdown();
    }
  });
});
