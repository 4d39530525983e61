import cassandra from 'cassandra-driver';
import { cqlIdentifier } from '../cassandra/cql';

/**
 * Failed logins per tenant, each kept for the lockout window (Cassandra TTL).
 *
 * @example
 * await failures.record('zoo', 900);
 * const recent = await failures.recent('zoo', 5); // newest first
 */
export class LoginFailureStore {
  private readonly table: string;

  constructor(
    private readonly client: cassandra.Client,
    keyspace: string,
  ) {
    this.table = `${cqlIdentifier(keyspace)}.login_failures`;
  }

  async record(tenant: string, ttlSeconds: number, at = new Date()): Promise<void> {
    await this.client.execute(`INSERT INTO ${this.table} (tenant, failed_at) VALUES (?, ?) USING TTL ?`, [
      tenant,
      cassandra.types.TimeUuid.fromDate(at),
      ttlSeconds,
    ]);
  }

  /** Times of the newest `limit` failures still inside their window, newest first. */
  async recent(tenant: string, limit: number): Promise<Date[]> {
    const result = await this.client.execute(`SELECT failed_at FROM ${this.table} WHERE tenant = ? LIMIT ?`, [tenant, limit]);
    return result.rows.map((row) => (row.get('failed_at') as cassandra.types.TimeUuid).getDate());
  }

  async clear(tenant: string): Promise<void> {
    await this.client.execute(`DELETE FROM ${this.table} WHERE tenant = ?`, [tenant]);
  }
}
