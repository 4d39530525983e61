import type { TableRow, TableSpec } from '../../cassandra/TableSpec';
import type { RecordFormat } from '../../tenants/FileFormat';
import type { CqlType } from '../../cassandra/TableSpec';
import type { SourceRecord } from '../records/SourceRecord';

/** A column of a file whose format says its columns' types (Parquet), as the CQL type it maps to. */
export interface FileColumn {
  readonly name: string;
  readonly type: CqlType;
}

/** The file a batch ingest app is asked to plan for. */
export interface BatchFile {
  readonly tenant: string;
  readonly batchId: string;
  readonly fileName: string;
  /** How the file's records are laid out (a compressed file is given as its records read). */
  readonly format: RecordFormat;
  /**
   * The file's columns with their types, in the file's order, when its format says them (Parquet, from its
   * footer); undefined for the text formats, whose types can only be told from the values.
   */
  readonly columns?: readonly FileColumn[] | undefined;
  /** Columns already in a table of the tenant's keyspace, or undefined when it does not exist. */
  existingColumns(table: string): Promise<Readonly<Record<string, CqlType>> | undefined>;
}

/** How one file is written: its tables, and the rows of each record. */
export interface BatchIngestPlan {
  readonly tables: readonly TableSpec[];
  /**
   * The rows for one record. Throw a `RecordError` for a record that is not
   * valid: it is counted as a bad row and reported with its position.
   * Must be deterministic: a chunk is read twice (validate, then write) when the rows its validate pass kept
   * cannot be used (kept for other tables, or expired under a late redrive).
   */
  toRows(record: SourceRecord): readonly TableRow[];
}

/**
 * A tenant's batch ingest app: maps the records of a tenant's files to rows
 * of its own tables. Put it in
 * `tenants/<tenant>/batchIngestApp.ts` as the default export; tenants without
 * one are served by the generic app.
 *
 * @example
 * const app: BatchIngestApp = {
 *   name: 'zoo-sensor-readings',
 *   plan: () => ({ tables: [readings], toRows: (record) => [{ table: 'readings', values: toReading(record) }] }),
 * };
 * export default app;
 */
export interface BatchIngestApp {
  readonly name: string;
  /** Called once per file, with up to the first 1000 records, before any row is written. */
  plan(file: BatchFile, sample: readonly SourceRecord[]): BatchIngestPlan | Promise<BatchIngestPlan>;
}
