import type cassandra from 'cassandra-driver';

/**
 * Writes rows of one partition with one prepared INSERT: a single execute for
 * one row, else an unlogged batch (one mutation for Cassandra, as `cqlsh COPY`
 * sends them).
 *
 * @example
 * await insertRows(client, insertCql('tenant_zoo', readings), [[...row1], [...row2]]);
 */
export function insertRows(client: cassandra.Client, query: string, rows: readonly unknown[][]): Promise<unknown> {
  return rows.length === 1
    ? client.execute(query, rows[0], { prepare: true })
    : client.batch(
        rows.map((params) => ({ query, params })),
        { prepare: true, logged: false },
      );
}
