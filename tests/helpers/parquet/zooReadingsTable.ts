import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';

/** A column of a table written by both writers: its Arrow type for pyarrow, its Parquet schema for hyparquet-writer, its values for each. */
export interface TableColumn {
  readonly name: string;
  readonly arrow: string;
  readonly schema: SchemaElement;
  /** As hyparquet-writer takes them. */
  readonly values: readonly unknown[];
  /** As JSON for pyarrow (64-bit integers and instants as text). */
  readonly json: readonly unknown[];
}

const START = Date.UTC(2018, 9, 1);

/** The instant of reading n: a tracker of a hundred every 10 s. */
export function readingTime(n: number): number {
  return START + Math.floor(n / 100) * 10_000;
}

/** The tracker of reading n. */
export function deviceOf(n: number, devices = 'turtle'): string {
  return `${devices}-${String(n % 100).padStart(3, '0')}`;
}

/**
 * Turtle tracker readings in the zoo table's own columns (`dev_id`, `day`,
 * `ts`, ...) as a Parquet file types them: `day` a DATE, `ts` a TIMESTAMP in
 * milliseconds, `battery` an INT32, measures DOUBLE (humidity null in every
 * seventh row). Reading n is of tracker `<devices>-<n % 100>` and has
 * temperature 18.25 + n % 8, except the rows in `bad` (from 0), whose
 * temperature is 500: the zoo's app refuses them.
 */
export function zooReadingsTable(rows: number, bad: ReadonlySet<number> = new Set(), devices = 'turtle'): TableColumn[] {
  const each = <T>(value: (n: number) => T): T[] => Array.from({ length: rows }, (_, n) => value(n));
  const temperature = each((n) => (bad.has(n) ? 500 : 18 + (n % 8) + 0.25));
  const humidity = each((n) => (n % 7 === 3 ? null : 60 + (n % 30)));
  const double = (name: string, values: unknown[]): TableColumn => ({
    name,
    arrow: 'float64',
    schema: { name, type: 'DOUBLE', repetition_type: 'OPTIONAL' },
    values,
    json: values,
  });
  return [
    {
      name: 'dev_id',
      arrow: 'string',
      schema: { name: 'dev_id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      values: each((n) => deviceOf(n, devices)),
      json: each((n) => deviceOf(n, devices)),
    },
    {
      name: 'day',
      arrow: 'date32',
      schema: { name: 'day', type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
      values: each((n) => new Date(Math.floor(readingTime(n) / 86_400_000) * 86_400_000)),
      json: each((n) => new Date(readingTime(n)).toISOString().slice(0, 10)),
    },
    {
      name: 'ts',
      arrow: 'timestamp[ms, UTC]',
      schema: { name: 'ts', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
      values: each((n) => new Date(readingTime(n))),
      json: each((n) => String(readingTime(n))),
    },
    double('temperature', temperature),
    double('humidity', humidity),
    double(
      'pressure',
      each((n) => 1005 + (n % 10)),
    ),
    {
      name: 'battery',
      arrow: 'int32',
      schema: { name: 'battery', type: 'INT32', repetition_type: 'OPTIONAL' },
      values: each((n) => 2900 + (n % 100)),
      json: each((n) => 2900 + (n % 100)),
    },
    double(
      'acceleration',
      each(() => 1),
    ),
    double(
      'acceleration_x',
      each((n) => (n % 5) / 10),
    ),
    double(
      'acceleration_y',
      each((n) => -(n % 3) / 10),
    ),
    double(
      'acceleration_z',
      each(() => 0.9),
    ),
  ];
}

/** A table written by hyparquet-writer, in row groups of `rowGroupSize` rows. */
export function writeWithHyparquet(columns: readonly TableColumn[], rowGroupSize: number): Buffer {
  return Buffer.from(
    parquetWriteBuffer({
      columnData: columns.map((column) => ({ name: column.name, data: [...column.values] })),
      schema: [{ name: 'root', num_children: columns.length }, ...columns.map((column) => column.schema)],
      rowGroupSize,
    }),
  );
}
