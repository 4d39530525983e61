import type cassandra from 'cassandra-driver';
import { ConfigurationError } from '../errors';
import { cqlIdentifier, cqlString } from './cql';

/**
 * How many copies of a keyspace's data each data center keeps
 * (`NetworkTopologyStrategy`), e.g. `{ datacenter1: 3 }`. Three copies per
 * data center, written and read at LOCAL_QUORUM, lose nothing and wait for
 * nothing when one node of the three is down.
 */
export type Replication = Readonly<Record<string, number>>;

const NETWORK_TOPOLOGY = 'org.apache.cassandra.locator.NetworkTopologyStrategy';

/**
 * Reads a replication setting: `dc:copies` per data center, comma-separated
 * (`datacenter1:3`, `eu:3,us:3`), or the same as JSON
 * (`{"class":"NetworkTopologyStrategy","datacenter1":3}`). Only
 * `NetworkTopologyStrategy`: `SimpleStrategy` ignores data centers and racks.
 *
 * @example
 * parseReplication('datacenter1:3'); // { datacenter1: 3 }
 */
export function parseReplication(text: string): Replication {
  const trimmed = text.trim();
  let entries: Array<[string, unknown]>;
  if (trimmed.startsWith('{')) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(trimmed) as Record<string, unknown>;
    } catch (error) {
      throw new ConfigurationError(`CASSANDRA_REPLICATION is not JSON: ${trimmed}`, {}, { cause: error });
    }
    const { class: strategy, ...centers } = parsed;
    if (strategy !== undefined && !/^(org\.apache\.cassandra\.locator\.)?NetworkTopologyStrategy$/.test(JSON.stringify(strategy).slice(1, -1))) {
      throw new ConfigurationError(
        `CASSANDRA_REPLICATION: the platform replicates with NetworkTopologyStrategy (copies per data center), not ${JSON.stringify(strategy)}`,
      );
    }
    entries = Object.entries(centers);
  } else {
    entries = trimmed.split(',').map((part) => {
      const [center = '', copies = ''] = part.split(':').map((piece) => piece.trim());
      return [center, copies];
    });
  }
  const replication: Record<string, number> = {};
  for (const [center, copies] of entries) {
    const count = Number(copies);
    if (!/^[A-Za-z0-9_.-]+$/.test(center) || !Number.isInteger(count) || count < 1) {
      throw new ConfigurationError(`CASSANDRA_REPLICATION is data center:copies, comma-separated (e.g. datacenter1:3), not "${text}"`);
    }
    replication[center] = count;
  }
  if (Object.keys(replication).length === 0) throw new ConfigurationError('CASSANDRA_REPLICATION names no data center');
  return replication;
}

/** The setting's own form, `dc:copies` comma-separated (what {@link parseReplication} reads). */
export function formatReplication(replication: Replication): string {
  return Object.entries(replication)
    .map(([center, copies]) => `${center}:${copies}`)
    .join(',');
}

/** The same copies in every data center of `replication` (a tenant's own replication factor). */
export function withFactor(replication: Replication, factor: number): Replication {
  return Object.fromEntries(Object.keys(replication).map((center) => [center, factor]));
}

/** The CQL map literal of a keyspace's replication. */
export function replicationLiteral(replication: Replication): string {
  const centers = Object.entries(replication).map(([center, copies]) => `${cqlString(center)}: ${copies}`);
  return `{'class': 'NetworkTopologyStrategy', ${centers.join(', ')}}`;
}

/** A keyspace's replication as Cassandra reports it (`system_schema.keyspaces`), if it is `NetworkTopologyStrategy`. */
export function readReplication(reported: ReadonlyMap<string, string> | Readonly<Record<string, string>> | null | undefined): Replication | undefined {
  const entries: Record<string, string> =
    reported instanceof Map ? (Object.fromEntries(reported) as Record<string, string>) : { ...(reported as Record<string, string>) };
  const { class: strategy, ...centers } = entries;
  if (strategy !== NETWORK_TOPOLOGY) return undefined;
  return Object.fromEntries(Object.entries(centers).map(([center, copies]) => [center, Number(copies)]));
}

export function sameReplication(a: Replication | undefined, b: Replication): boolean {
  if (!a) return false;
  const centers = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...centers].every((center) => a[center] === b[center]);
}

/**
 * Refuses a replication the cluster cannot hold: more copies in a data center
 * than it has nodes (every write at LOCAL_QUORUM would then wait for a replica
 * that does not exist), or a data center the cluster does not have.
 */
export function checkReplicationFits(client: cassandra.Client, replication: Replication, what: string): void {
  const nodes = new Map<string, number>();
  for (const host of client.hosts.values()) nodes.set(host.datacenter, (nodes.get(host.datacenter) ?? 0) + 1);
  for (const [center, copies] of Object.entries(replication)) {
    const available = nodes.get(center) ?? 0;
    if (copies > available) {
      throw new ConfigurationError(
        `${what} asks for ${copies} copies in data center ${center}, which has ${available} node${available === 1 ? '' : 's'} (the cluster's data centers: ${[...nodes].map(([name, count]) => `${name} ${count}`).join(', ') || 'none known'})`,
      );
    }
  }
}

/**
 * Creates a keyspace with `replication` unless it exists (the cluster must be
 * able to hold it); returns the replication an existing keyspace has when it
 * differs, for the caller to report (changing it is the operator's decision,
 * followed by a repair).
 */
export async function ensureKeyspace(
  client: cassandra.Client,
  keyspace: string,
  replication: Replication,
  what = `keyspace ${keyspace}`,
): Promise<{ differs: Replication | undefined }> {
  checkReplicationFits(client, replication, what);
  await client.execute(`CREATE KEYSPACE IF NOT EXISTS ${cqlIdentifier(keyspace)} WITH replication = ${replicationLiteral(replication)}`);
  const row = (await client.execute('SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?', [keyspace])).first();
  const actual = readReplication(row?.get('replication') as ReadonlyMap<string, string> | undefined);
  return { differs: sameReplication(actual, replication) ? undefined : (actual ?? {}) };
}

/** Changes a keyspace's replication; the data already written reaches its new replicas only by a repair (`nodetool repair --full <keyspace>`). */
export async function alterReplication(client: cassandra.Client, keyspace: string, replication: Replication, what = `keyspace ${keyspace}`): Promise<void> {
  checkReplicationFits(client, replication, what);
  await client.execute(`ALTER KEYSPACE ${cqlIdentifier(keyspace)} WITH replication = ${replicationLiteral(replication)}`);
}
