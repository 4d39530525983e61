import type cassandra from 'cassandra-driver';
import { ServiceUnavailableError } from '../errors';
import { serviceFailure } from '../failures/serviceFailure';
import { insertCql } from './cql';
import { insertRows } from './insertRows';
import { RowValues, type OrderedTable, type ValuedRow } from './RowValues';
import type { TableRow, TableSpec } from './TableSpec';

interface PartitionBuffer {
  /** The table's INSERT. */
  readonly query: string;
  readonly table: string;
  readonly rows: unknown[][];
  /** About how many bytes the rows hold (text by its length, anything else 8). */
  bytes: number;
}

export interface RowWriterOptions {
  /** Requests (single inserts or partition batches) in flight at most. */
  readonly concurrency?: number;
  /** Rows of one partition sent together in one unlogged batch, at most. */
  readonly rowsPerBatch?: number;
  /** Bytes of one partition's batch, about, at most: wide rows go in smaller batches (a request must stay far below the node's frame size). */
  readonly bytesPerBatch?: number;
  /** Rows held back waiting for partners, at most, before everything held is sent. */
  readonly bufferedRows?: number;
  /**
   * Called with a request's rows before it is sent, and waited for: the
   * tenant's rate limit (see `RatePacer`). What it throws, the call that sent
   * (`write` or `flush`) throws, the rows still held.
   */
  readonly pace?: ((rows: number) => Promise<void>) | undefined;
}

/**
 * A failed write, told apart once: Cassandra unreachable or overloaded is an
 * outage to be waited out; anything else (a statement the node refused, a
 * table dropped under the writer) is an error of its own, kept as the cause, so
 * it uses up a try instead of being waited on for as long as an outage is.
 */
function writeFailure(message: string, error: Error): Error {
  const outage = serviceFailure(error, 'cassandra');
  if (outage) return new ServiceUnavailableError(message, { service: 'cassandra', retryAfterSeconds: outage.retryAfterSeconds });
  return new Error(message, { cause: error });
}

/**
 * Writes rows to a keyspace with prepared INSERTs and bounded concurrency.
 *
 * Rows of the same partition are grouped into unlogged batches (one mutation
 * for Cassandra, as `cqlsh COPY` does), holding back at most `bufferedRows`
 * rows; `write` returns at once while fewer than `concurrency` requests are in
 * flight and waits otherwise, so a fast reader never outruns Cassandra or
 * memory. Inserts are upserts by primary key, so writing a row twice leaves
 * one row.
 *
 * The first failed write is kept and rethrown by the next `write` or by
 * `flush`, so a caller never reports success for rows that were not written.
 *
 * @example
 * const writer = new RowWriter(client, 'tenant_zoo', [readingsTable]);
 * for await (const batch of batches) await writer.write(batch);
 * await writer.flush();
 */
export class RowWriter {
  /** The rows' values in column order, and their partitions. */
  readonly values: RowValues;
  /** Each table's INSERT, by the table's index. */
  private readonly queries: readonly string[];
  private readonly partitions = new Map<string, PartitionBuffer>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly rowsPerBatch: number;
  private readonly bytesPerBatch: number;
  private readonly bufferedRows: number;
  private readonly pace: ((rows: number) => Promise<void>) | undefined;
  private buffered = 0;
  private failure: Error | undefined;
  private written = 0;

  constructor(
    private readonly client: cassandra.Client,
    private readonly keyspace: string,
    tables: readonly TableSpec[],
    options: RowWriterOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 64;
    // 100 rows a batch: in bench/batch.ts the node's ceiling is as high or higher with 100 rows a batch as with 25,
    // and the platform's own loads cost the node least at 100 to 200 rows a batch (more at 64, and at 400).
    this.rowsPerBatch = options.rowsPerBatch ?? 100;
    this.bytesPerBatch = options.bytesPerBatch ?? 256 * 1024;
    // Enough to fill batches of a few hundred partitions interleaved in a file.
    this.bufferedRows = options.bufferedRows ?? 20_000;
    this.pace = options.pace;
    this.values = new RowValues(tables, keyspace);
    this.queries = tables.map((table) => insertCql(keyspace, table));
  }

  /** Rows acknowledged by Cassandra so far. */
  get rowsWritten(): number {
    return this.written;
  }

  /** Writes rows in order, waiting only while a request must finish before the next may go. */
  async write(rows: readonly TableRow[]): Promise<void> {
    this.throwIfFailed();
    for (const row of rows) await this.holdAndSend(this.values.of(row));
    this.throwIfFailed();
  }

  /** Writes rows whose values are in column order already (see {@link RowValues}), as `write` does. */
  async writeValued(rows: readonly ValuedRow[]): Promise<void> {
    this.throwIfFailed();
    for (const row of rows) await this.holdAndSend(row);
    this.throwIfFailed();
  }

  private async holdAndSend(row: ValuedRow): Promise<void> {
    const full = this.hold(row);
    if (full !== undefined) await this.send(full);
    if (this.buffered >= this.bufferedRows) await this.sendAll();
  }

  /** Holds a row with its partition's; returns the partition's key when its batch is full. */
  private hold(row: ValuedRow): string | undefined {
    const key = this.values.partitionOf(row);
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { query: this.queries[row.table] as string, table: (this.values.tables[row.table] as OrderedTable).spec.name, rows: [], bytes: 0 };
      this.partitions.set(key, partition);
    }
    let bytes = 0;
    // Text by its length, anything else 8: enough to keep a batch's size bounded.
    for (const value of row.values) bytes += typeof value === 'string' ? value.length : 8;
    partition.rows.push(row.values);
    partition.bytes += bytes;
    this.buffered += 1;
    return partition.rows.length >= this.rowsPerBatch || partition.bytes >= this.bytesPerBatch ? key : undefined;
  }

  private async sendAll(): Promise<void> {
    for (const key of [...this.partitions.keys()]) await this.send(key);
  }

  /** Sends everything held back, waits for every request in flight; throws if any failed. */
  async flush(): Promise<void> {
    await this.sendAll();
    await Promise.all(this.inFlight);
    this.throwIfFailed();
  }

  /** The first write that failed fails every later call (a request in flight may fail while the caller awaits). */
  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  private async send(key: string): Promise<void> {
    const partition = this.partitions.get(key);
    if (!partition) return;
    if (this.pace) await this.pace(partition.rows.length);
    this.partitions.delete(key);
    this.buffered -= partition.rows.length;
    const { table, query, rows } = partition;
    const request = insertRows(this.client, query, rows);
    const pending: Promise<void> = request.then(
      () => {
        this.written += rows.length;
        this.inFlight.delete(pending);
      },
      (error: Error) => {
        this.failure ??= writeFailure(`Cassandra write to ${this.keyspace}.${table} failed: ${error.message}`, error);
        this.inFlight.delete(pending);
      },
    );
    this.inFlight.add(pending);
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
  }
}
