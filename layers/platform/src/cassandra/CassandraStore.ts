import type cassandra from 'cassandra-driver';
import { cqlIdentifier } from './cql';

/**
 * A store of one of the platform's tables: the client it runs its statements
 * with, and the table they name, qualified by its keyspace.
 *
 * @example
 * class GrantStore extends CassandraStore {
 *   constructor(client: cassandra.Client, keyspace: string) {
 *     super(client, keyspace, 'upload_grants');
 *   }
 * }
 */
export abstract class CassandraStore {
  /** The table as its statements name it: `keyspace.table`. */
  protected readonly table: string;
  /** The options of a statement run prepared, its values sent with their columns' types. */
  protected readonly prepared = { prepare: true } as const;

  protected constructor(
    protected readonly client: cassandra.Client,
    keyspace: string,
    table: string,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.${table}`;
  }
}
