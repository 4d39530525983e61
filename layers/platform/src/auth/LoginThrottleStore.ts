import cassandra from 'cassandra-driver';
import { CassandraStore } from '../cassandra/CassandraStore';

/**
 * Time-stamped marks under a key (`login_throttle` table of the platform
 * keyspace), each kept for a TTL: the failed logins of a source, of a tenant
 * id, of a tenant id from a source, and the logins of a source being checked
 * right now. Every mark expires by itself, so keys an attacker makes up (any
 * tenant id, any address) cost storage for one window only.
 *
 * @example
 * const mark = await store.mark(['source 203.0.113.9'], 900);
 * const recent = await store.recent('source 203.0.113.9', 20); // newest first
 */
export class LoginThrottleStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'login_throttle');
  }

  /** Puts one mark under each key, all with the same id; returns the id (to remove the marks later). */
  async mark(keys: readonly string[], ttlSeconds: number, at = new Date()): Promise<cassandra.types.TimeUuid> {
    const id = cassandra.types.TimeUuid.fromDate(at);
    await Promise.all(keys.map((key) => this.client.execute(`INSERT INTO ${this.table} (key, at) VALUES (?, ?) USING TTL ?`, [key, id, ttlSeconds])));
    return id;
  }

  /** Times of the newest `limit` marks under the key that have not expired, newest first. */
  async recent(key: string, limit: number): Promise<Date[]> {
    const result = await this.client.execute(`SELECT at FROM ${this.table} WHERE key = ? LIMIT ?`, [key, limit]);
    return result.rows.map((row) => (row.get('at') as cassandra.types.TimeUuid).getDate());
  }

  async remove(key: string, id: cassandra.types.TimeUuid): Promise<void> {
    await this.client.execute(`DELETE FROM ${this.table} WHERE key = ? AND at = ?`, [key, id]);
  }

  async clear(key: string): Promise<void> {
    await this.client.execute(`DELETE FROM ${this.table} WHERE key = ?`, [key]);
  }
}
