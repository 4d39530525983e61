import type cassandra from 'cassandra-driver';
import { systemClock, type Clock } from '../Clock';
import { cqlIdentifier } from './cql';
import { LIGHTWEIGHT_TRANSACTION } from './lightweightTransaction';

/**
 * A store of one of the platform's tables: the client it runs its statements
 * with, the table they name, qualified by its keyspace, and the time it reads
 * and stamps its rows by (for the stores whose rows say when).
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
    protected readonly clock: Clock = systemClock,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.${table}`;
  }

  /**
   * Runs a lightweight transaction (a statement with `IF NOT EXISTS` or
   * `IF col = ?`, as {@link LIGHTWEIGHT_TRANSACTION} says) and says whether it
   * applied: false when the condition no longer held.
   */
  protected async lightweightTransaction(query: string, params: unknown[]): Promise<boolean> {
    const result = await this.client.execute(query, params, LIGHTWEIGHT_TRANSACTION);
    return result.first()?.get('[applied]') === true;
  }
}
