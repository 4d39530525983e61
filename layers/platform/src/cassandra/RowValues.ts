import cassandra from 'cassandra-driver';
import { keyText } from './partitionKey';
import type { CqlType, TableRow, TableSpec } from './TableSpec';

/** A row as a writer sends it: its table (an index into the writer's tables) and its values in the table's column order. */
export interface ValuedRow {
  readonly table: number;
  readonly values: unknown[];
}

/** A table as rows are written to it: its columns in order, their types, and where its partition key columns are. */
export interface OrderedTable {
  readonly spec: TableSpec;
  readonly columns: readonly string[];
  readonly types: readonly CqlType[];
  readonly partitionKey: readonly number[];
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
        // Left as it is: the driver refuses it with its own reason.
        return text;
      }
      if (this.known.size >= 10_000) this.known.clear();
      this.known.set(text, date);
    }
    return date;
  }
}

/**
 * The rows an ingest app makes (values by column name) as the driver takes
 * them: the values in the table's column order, a missing one null, a date
 * given as text a `LocalDate`; and which partition a row goes to. One place
 * for both the writer and the validate pass that keeps a chunk's rows for it.
 *
 * @example
 * const values = new RowValues([readings]);
 * const row = values.of({ table: 'readings', values: { id: 'r1', day: '2024-01-01' } });
 * values.partitionOf(row); // 'readings\0r1'
 */
export class RowValues {
  readonly tables: readonly OrderedTable[];
  private readonly indexes = new Map<string, number>();
  private readonly localDates = new LocalDates();

  constructor(
    tables: readonly TableSpec[],
    private readonly keyspace: string,
  ) {
    this.tables = tables.map((spec, index) => {
      this.indexes.set(spec.name, index);
      const columns = Object.keys(spec.columns);
      return { spec, columns, types: Object.values(spec.columns), partitionKey: spec.partitionKey.map((column) => columns.indexOf(column)) };
    });
  }

  /** The row's values in its table's column order; a table the writer was not given is an error of the app. */
  of(row: TableRow): ValuedRow {
    const table = this.indexes.get(row.table);
    if (table === undefined) throw new RangeError(`no table "${row.table}" in keyspace ${this.keyspace}`);
    const { columns, types } = this.tables[table] as OrderedTable;
    const values = new Array<unknown>(columns.length);
    for (let index = 0; index < columns.length; index += 1) {
      const value = row.values[columns[index] as string] ?? null;
      values[index] = types[index] === 'date' && typeof value === 'string' ? this.localDates.of(value) : value;
    }
    return { table, values };
  }

  /** Which partition of which table the row goes to, as one string: rows with the same one can share an unlogged batch. */
  partitionOf(row: ValuedRow): string {
    const table = this.tables[row.table] as OrderedTable;
    let key = table.spec.name;
    for (const index of table.partitionKey) key += `\u0000${keyText(row.values[index])}`;
    return key;
  }
}
