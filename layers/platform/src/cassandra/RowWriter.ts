import type cassandra from 'cassandra-driver';
import { ServiceUnavailableError } from '../errors';
import { insertCql } from './cql';
import type { TableRow, TableSpec } from './TableSpec';

interface PreparedTable {
  readonly query: string;
  readonly columns: readonly string[];
}

/**
 * Writes rows to a keyspace with prepared INSERTs and bounded concurrency:
 * `write` returns at once while fewer than `concurrency` writes are in flight
 * and waits otherwise, so a fast reader never outruns Cassandra or memory.
 * Inserts are upserts by primary key, so writing a row twice leaves one row.
 *
 * The first failed write is kept and rethrown by the next `write` or by
 * `flush`, so a caller never reports success for rows that were not written.
 *
 * @example
 * const writer = new RowWriter(client, 'tenant_zoo', [readingsTable]);
 * for await (const row of rows) await writer.write(row);
 * await writer.flush();
 */
export class RowWriter {
  private readonly tables = new Map<string, PreparedTable>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private written = 0;

  constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: string,
    tables: readonly TableSpec[],
    private readonly concurrency = 128,
  ) {
    for (const table of tables) {
      this.tables.set(table.name, { query: insertCql(keyspace, table), columns: Object.keys(table.columns) });
    }
  }

  /** Rows acknowledged by Cassandra so far. */
  get rowsWritten(): number {
    return this.written;
  }

  async write(row: TableRow): Promise<void> {
    if (this.failure) throw this.failure;
    const table = this.tables.get(row.table);
    if (!table) throw new RangeError(`no table "${row.table}" in keyspace ${this.keyspace}`);
    const params = table.columns.map((column) => row.values[column] ?? null);
    const pending: Promise<void> = this.client.execute(table.query, params, { prepare: true }).then(
      () => {
        this.written += 1;
        this.inFlight.delete(pending);
      },
      (error: Error) => {
        this.failure ??= new ServiceUnavailableError(`Cassandra write to ${this.keyspace}.${row.table} failed: ${error.message}`);
        this.inFlight.delete(pending);
      },
    );
    this.inFlight.add(pending);
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Waits for every write in flight; throws if any failed. */
  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}
