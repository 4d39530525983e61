import cassandra from 'cassandra-driver';
import { ServiceUnavailableError } from '../errors';
import { serviceFailure } from '../failures/serviceFailure';
import { insertCql } from './cql';
import { insertRows } from './insertRows';
import { partitionOf } from './partitionKey';
import type { TableRow, TableSpec } from './TableSpec';

interface PreparedTable {
  readonly name: string;
  readonly query: string;
  readonly columns: readonly string[];
  /** Which of them are CQL dates. */
  readonly dates: readonly boolean[];
  readonly partitionKey: readonly string[];
}

/** Dates given as text, made the driver's `LocalDate` once each (a file holds few days and many rows). */
class LocalDates {
  private readonly known = new Map<string, cassandra.types.LocalDate>();

  of(text: string): cassandra.types.LocalDate | string {
    let date = this.known.get(text);
    if (date === undefined) {
      try {
        date = cassandra.types.LocalDate.fromString(text);
      } catch {
        // Left as it is: the driver refuses it with its own reason, as a failed write.
        return text;
      }
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(text, date);
    }
    return date;
  }
}

interface PartitionBuffer {
  readonly table: PreparedTable;
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
  private readonly tables = new Map<string, PreparedTable>();
  private readonly partitions = new Map<string, PartitionBuffer>();
  private readonly localDates = new LocalDates();
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
    for (const table of tables) {
      this.tables.set(table.name, {
        name: table.name,
        query: insertCql(keyspace, table),
        columns: Object.keys(table.columns),
        dates: Object.values(table.columns).map((type) => type === 'date'),
        partitionKey: table.partitionKey,
      });
    }
  }

  /** Rows acknowledged by Cassandra so far. */
  get rowsWritten(): number {
    return this.written;
  }

  /** Writes rows in order, waiting only while a request must finish before the next may go. */
  async write(rows: readonly TableRow[]): Promise<void> {
    this.throwIfFailed();
    for (const row of rows) {
      const full = this.hold(row);
      if (full !== undefined) await this.send(full);
      if (this.buffered >= this.bufferedRows) await this.sendAll();
    }
    this.throwIfFailed();
  }

  /** Holds a row with its partition's; returns the partition's key when its batch is full. */
  private hold(row: TableRow): string | undefined {
    const table = this.tables.get(row.table);
    if (!table) throw new RangeError(`no table "${row.table}" in keyspace ${this.keyspace}`);
    const key = partitionOf(table, row.values);
    let partition = this.partitions.get(key);
    if (!partition) {
      partition = { table, rows: [], bytes: 0 };
      this.partitions.set(key, partition);
    }
    const { columns, dates } = table;
    const values = new Array<unknown>(columns.length);
    let bytes = 0;
    for (let index = 0; index < columns.length; index += 1) {
      const value = row.values[columns[index] as string] ?? null;
      values[index] = dates[index] && typeof value === 'string' ? this.localDates.of(value) : value;
      // Text by its length, anything else 8: enough to keep a batch's size bounded.
      bytes += typeof value === 'string' ? value.length : 8;
    }
    partition.rows.push(values);
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
    const { table, rows } = partition;
    const request = insertRows(this.client, table.query, rows);
    const pending: Promise<void> = request.then(
      () => {
        this.written += rows.length;
        this.inFlight.delete(pending);
      },
      (error: Error) => {
        this.failure ??= writeFailure(`Cassandra write to ${this.keyspace}.${table.name} failed: ${error.message}`, error);
        this.inFlight.delete(pending);
      },
    );
    this.inFlight.add(pending);
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
  }
}
