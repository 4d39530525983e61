import cassandra from 'cassandra-driver';
import { setTimeout as sleep } from 'node:timers/promises';
import { cqlIdentifier, cqlString } from '../../layers/platform/src';
import { localSecrets } from '../secrets';

/** The local node's superuser, made at its first start in place of the default `cassandra` role. */
export const CASSANDRA_ADMIN_ROLE = 'mysimbdp_admin';
/** The role the platform connects with: it may create keyspaces, and owns (has every permission on) those it creates. */
export const CASSANDRA_PLATFORM_ROLE = 'mysimbdp_platform';

export interface CassandraCredentials {
  readonly username: string;
  readonly password: string;
}

/** A keyspace the platform's role makes to prove it may (kept: it is empty and made once). */
const PROBE_KEYSPACE = 'mysimbdp_grants';
/** Cassandra's code for a statement the role is not allowed. */
const UNAUTHORIZED = 0x2100;

/** What a node with PasswordAuthenticator has at its first start, and what must not work after it. */
const DEFAULT_CREDENTIALS: CassandraCredentials = { username: 'cassandra', password: 'cassandra' };

export function cassandraAdminCredentials(): CassandraCredentials {
  return { username: CASSANDRA_ADMIN_ROLE, password: localSecrets().cassandraAdminPassword };
}

export function cassandraPlatformCredentials(): CassandraCredentials {
  return { username: CASSANDRA_PLATFORM_ROLE, password: localSecrets().cassandraPlatformPassword };
}

/**
 * A client of the local cluster as `credentials`, through node 1 (127.0.0.1)
 * or, when `host` is given, of that node alone (to ask whether it serves);
 * connected, or the connection's error.
 */
export async function connectLocalCassandra(credentials: CassandraCredentials, timeoutMs = 3000, host?: string): Promise<cassandra.Client> {
  const { policies } = cassandra;
  const client = new cassandra.Client({
    contactPoints: [`${host ?? '127.0.0.1'}:9042`],
    localDataCenter: 'datacenter1',
    ...(host
      ? {
          policies: {
            loadBalancing: new policies.loadBalancing.AllowListPolicy(new policies.loadBalancing.DCAwareRoundRobinPolicy('datacenter1'), [`${host}:9042`]),
          },
        }
      : {}),
    credentials,
    socketOptions: { connectTimeout: timeoutMs, readTimeout: timeoutMs * 5 },
    encoding: { useBigIntAsLong: true, map: Map },
  });
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.shutdown().catch(() => undefined);
    throw error;
  }
}

/** A login refused, or one a node could not check (what the driver reports as an authentication error). */
export function isAuthenticationFailure(error: unknown): boolean {
  const inner = error as { innerErrors?: Record<string, unknown> };
  const errors = [error, ...Object.values(inner.innerErrors ?? {})];
  return errors.some((candidate) => candidate instanceof cassandra.errors.AuthenticationError);
}

/** Whether `credentials` log in to the local node. */
async function canLogIn(credentials: CassandraCredentials): Promise<boolean> {
  try {
    await (await connectLocalCassandra(credentials)).shutdown();
    return true;
  } catch (error) {
    if (isAuthenticationFailure(error)) return false;
    throw error;
  }
}

/** Connects as the local superuser (to `host` alone, when given), or with the default credentials on a cluster that has not been set up yet. */
export async function connectAsAdmin(host?: string): Promise<{ client: cassandra.Client; firstStart: boolean }> {
  try {
    return { client: await connectLocalCassandra(cassandraAdminCredentials(), 3000, host), firstStart: false };
  } catch (error) {
    if (!isAuthenticationFailure(error)) throw error;
    return { client: await connectLocalCassandra(DEFAULT_CREDENTIALS, 3000, host), firstStart: true };
  }
}

/**
 * The local node's roles, as a production cluster has them: at the first
 * start (logged in with the default `cassandra` role) a superuser of the
 * project's own, with a generated password, replaces the default one, which
 * can log in no more; the platform's role may create keyspaces and owns what
 * it creates (keyspaces made before the node had authentication are granted to
 * it). Idempotent: run after every start.
 */
export async function ensureCassandraRoles(): Promise<void> {
  const admin = cassandraAdminCredentials();
  const platform = cassandraPlatformCredentials();
  const connected = await connectAsAdmin();
  const { firstStart } = connected;
  let { client } = connected;
  try {
    if (firstStart) {
      await client.execute(
        `CREATE ROLE IF NOT EXISTS ${cqlIdentifier(admin.username)} WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = ${cqlString(admin.password)}`,
      );
      await client.shutdown();
      client = await connectLocalCassandra(admin);
    }
    const roles = new Set((await client.execute('SELECT role FROM system_auth.roles')).rows.map((row) => row.get('role') as string));
    if (roles.has(DEFAULT_CREDENTIALS.username)) await client.execute(`ALTER ROLE ${DEFAULT_CREDENTIALS.username} WITH SUPERUSER = false AND LOGIN = false`);
    const role = cqlIdentifier(platform.username);
    if (!roles.has(platform.username)) {
      await client.execute(`CREATE ROLE ${role} WITH LOGIN = true AND PASSWORD = ${cqlString(platform.password)}`);
    } else if (!(await canLogIn(platform))) {
      // The secrets file was made anew: the role takes its password (Cassandra allows one change every few seconds).
      await client.execute(`ALTER ROLE ${role} WITH PASSWORD = ${cqlString(platform.password)}`);
    }
    await client.execute(`GRANT CREATE ON ALL KEYSPACES TO ${role}`);
    const keyspaces = await client.execute('SELECT keyspace_name FROM system_schema.keyspaces');
    for (const row of keyspaces.rows) {
      const keyspace = row.get('keyspace_name') as string;
      if (!keyspace.startsWith('system') && /^[a-z][a-z0-9_]*$/.test(keyspace))
        await client.execute(`GRANT ALL PERMISSIONS ON KEYSPACE ${keyspace} TO ${role}`);
    }
  } finally {
    await client.shutdown();
  }
  await untilGranted(platform);
}

/**
 * Waits until the node lets the platform's role create a keyspace: a node
 * caches permissions for a few seconds (`permissions_validity`), so a grant
 * made a moment ago may not hold yet.
 */
async function untilGranted(platform: CassandraCredentials): Promise<void> {
  const client = await connectLocalCassandra(platform);
  try {
    for (let tries = 0; ; tries += 1) {
      try {
        await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${PROBE_KEYSPACE} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`);
        return;
      } catch (error) {
        if (!(error instanceof cassandra.errors.ResponseError) || error.code !== UNAUTHORIZED || tries >= 40) throw error;
        await sleep(250);
      }
    }
  } finally {
    await client.shutdown();
  }
}
