import type { SchemaElement } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { CqlType } from '../../../layers/platform/src/cassandra/TableSpec';

/**
 * A table with a column of every type the platform maps from Parquet, made
 * the same by two writers (hyparquet-writer here, in-process; pyarrow by
 * `writeWithPyarrow`): row n (from 0) has `written(n)` in each column, and a
 * tenant app sees `seen(n)`. Every nullable column is null in rows where
 * `n % 5 === 2`; `id` (required) is n in every row.
 */
export interface EveryTypeColumn {
  readonly name: string;
  /** The CQL type the generic app makes the column. */
  readonly cqlType: CqlType;
  /** The Arrow type pyarrow writes it as. */
  readonly arrow: string;
  /** Its elements of the Parquet schema, as hyparquet-writer is given them. */
  readonly schema: readonly SchemaElement[];
  /** The value of row n, as hyparquet-writer takes it (null: a null). */
  written(n: number): unknown;
  /** The value of row n as a tenant app sees it. */
  seen(n: number): unknown;
  /** The value of row n as JSON for pyarrow (bytes in base64, 64-bit integers and decimals as text). */
  json(n: number): unknown;
}

const BASE_MS = Date.UTC(2024, 1, 29, 10, 0, 0);
const isNull = (n: number): boolean => n % 5 === 2;
const orNull =
  <T>(value: (n: number) => T) =>
  (n: number): T | null =>
    isNull(n) ? null : value(n);
const optional = (element: SchemaElement): SchemaElement => ({ repetition_type: 'OPTIONAL', ...element });

/** A UUID made from n. */
function uuidOf(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `123e4567-e89b-42d3-a456-${hex}`;
}

const i64 = (n: number): bigint => (n % 2 === 1 ? 2n ** 60n + BigInt(n) : BigInt(n * 1000 - 7));
const micros = (n: number): bigint => (n === 1 ? -1n : BigInt(BASE_MS) * 1000n + BigInt(n) * 1_000_001n);
const nanos = (n: number): bigint => BigInt(BASE_MS) * 1_000_000n + BigInt(n) * 1_000_000_007n;
const unscaledPrice = (n: number): bigint => BigInt(n * 101 - 5000);
const unscaledBig = (n: number): bigint => 10n ** 25n * BigInt(n) + BigInt(n) - 12_345n;
/** An unscaled integer with `scale` decimal places as text. */
function decimal(unscaled: bigint, scale: number): string {
  const sign = unscaled < 0n ? '-' : '';
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${sign}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}
const bytes = (n: number): Uint8Array => Uint8Array.of(n & 255, 0, 255, (n >> 8) & 255);
const floor = (value: bigint, per: bigint): number => Number(value / per - (value % per < 0n ? 1n : 0n));
const tags = (n: number): string[] => (n % 4 === 0 ? [] : [`t${n}`, `u${n}`]);
const point = (n: number) => ({ x: n / 4, label: n % 3 === 0 ? null : `p${n}` });

export const EVERY_TYPE_COLUMNS: readonly EveryTypeColumn[] = [
  {
    name: 'id',
    cqlType: 'int',
    arrow: 'int32 not null',
    schema: [{ name: 'id', type: 'INT32', repetition_type: 'REQUIRED' }],
    written: (n) => n,
    seen: (n) => n,
    json: (n) => n,
  },
  {
    name: 'i32',
    cqlType: 'int',
    arrow: 'int32',
    schema: [optional({ name: 'i32', type: 'INT32' })],
    written: orNull((n) => n * 7 - 1000),
    seen: orNull((n) => n * 7 - 1000),
    json: orNull((n) => n * 7 - 1000),
  },
  {
    name: 'i64',
    cqlType: 'bigint',
    arrow: 'int64',
    schema: [optional({ name: 'i64', type: 'INT64' })],
    written: orNull(i64),
    // A number when exact as one, else a BigInt.
    seen: orNull((n) => (n % 2 === 1 ? i64(n) : Number(i64(n)))),
    json: orNull((n) => i64(n).toString()),
  },
  {
    name: 'f32',
    cqlType: 'float',
    arrow: 'float32',
    schema: [optional({ name: 'f32', type: 'FLOAT' })],
    written: orNull((n) => n + 0.5),
    seen: orNull((n) => n + 0.5),
    json: orNull((n) => n + 0.5),
  },
  {
    name: 'f64',
    cqlType: 'double',
    arrow: 'float64',
    schema: [optional({ name: 'f64', type: 'DOUBLE' })],
    written: orNull((n) => n / 8 + 0.1),
    seen: orNull((n) => n / 8 + 0.1),
    json: orNull((n) => n / 8 + 0.1),
  },
  {
    name: 'flag',
    cqlType: 'boolean',
    arrow: 'bool',
    schema: [optional({ name: 'flag', type: 'BOOLEAN' })],
    written: orNull((n) => n % 3 === 0),
    seen: orNull((n) => n % 3 === 0),
    json: orNull((n) => n % 3 === 0),
  },
  {
    name: 'label',
    cqlType: 'text',
    arrow: 'string',
    schema: [optional({ name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8' })],
    written: orNull((n) => `row ${n}: ü "quoted", with a comma`),
    seen: orNull((n) => `row ${n}: ü "quoted", with a comma`),
    json: orNull((n) => `row ${n}: ü "quoted", with a comma`),
  },
  {
    name: 'raw',
    cqlType: 'blob',
    arrow: 'binary',
    schema: [optional({ name: 'raw', type: 'BYTE_ARRAY' })],
    written: orNull(bytes),
    seen: orNull((n) => Buffer.from(bytes(n))),
    json: orNull((n) => Buffer.from(bytes(n)).toString('base64')),
  },
  {
    name: 'price',
    cqlType: 'decimal',
    arrow: 'decimal128(18, 2)',
    schema: [optional({ name: 'price', type: 'INT64', converted_type: 'DECIMAL', scale: 2, precision: 18 })],
    written: orNull(unscaledPrice),
    seen: orNull((n) => decimal(unscaledPrice(n), 2)),
    json: orNull((n) => decimal(unscaledPrice(n), 2)),
  },
  {
    name: 'big_amount',
    cqlType: 'decimal',
    arrow: 'decimal128(30, 4)',
    schema: [optional({ name: 'big_amount', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 13, converted_type: 'DECIMAL', scale: 4, precision: 30 })],
    written: orNull(unscaledBig),
    seen: orNull((n) => decimal(unscaledBig(n), 4)),
    json: orNull((n) => decimal(unscaledBig(n), 4)),
  },
  {
    name: 'day',
    cqlType: 'date',
    arrow: 'date32',
    schema: [optional({ name: 'day', type: 'INT32', converted_type: 'DATE' })],
    written: orNull((n) => new Date(Date.UTC(2024, 1, 29 + n))),
    seen: orNull((n) => new Date(Date.UTC(2024, 1, 29 + n)).toISOString().slice(0, 10)),
    json: orNull((n) => new Date(Date.UTC(2024, 1, 29 + n)).toISOString().slice(0, 10)),
  },
  {
    name: 'ts_ms',
    cqlType: 'timestamp',
    arrow: 'timestamp[ms, UTC]',
    schema: [optional({ name: 'ts_ms', type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' })],
    written: orNull((n) => new Date(BASE_MS + n * 1000 + 123)),
    seen: orNull((n) => new Date(BASE_MS + n * 1000 + 123)),
    json: orNull((n) => String(BASE_MS + n * 1000 + 123)),
  },
  {
    name: 'ts_us',
    cqlType: 'timestamp',
    arrow: 'timestamp[us, UTC]',
    schema: [optional({ name: 'ts_us', type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } })],
    written: orNull(micros),
    // Floored to the millisecond: -1 µs is the millisecond before the epoch.
    seen: orNull((n) => new Date(floor(micros(n), 1000n))),
    json: orNull((n) => micros(n).toString()),
  },
  {
    name: 'ts_ns',
    cqlType: 'timestamp',
    arrow: 'timestamp[ns]',
    schema: [optional({ name: 'ts_ns', type: 'INT64', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'NANOS' } })],
    written: orNull(nanos),
    seen: orNull((n) => new Date(floor(nanos(n), 1_000_000n))),
    json: orNull((n) => nanos(n).toString()),
  },
  {
    name: 'uid',
    cqlType: 'uuid',
    arrow: 'uuid',
    schema: [optional({ name: 'uid', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, logical_type: { type: 'UUID' } })],
    written: orNull(uuidOf),
    seen: orNull(uuidOf),
    json: orNull(uuidOf),
  },
  {
    name: 'tags',
    cqlType: 'text',
    arrow: 'list<string>',
    schema: [
      optional({ name: 'tags', converted_type: 'LIST', num_children: 1 }),
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
    written: orNull(tags),
    seen: orNull(tags),
    json: orNull(tags),
  },
  {
    name: 'point',
    cqlType: 'text',
    arrow: 'struct<x: float64, label: string>',
    schema: [
      optional({ name: 'point', num_children: 2 }),
      { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
      { name: 'label', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
    written: orNull(point),
    seen: orNull(point),
    json: orNull(point),
  },
];

/** What a tenant app sees of row n (from 0). */
export function everyTypeFields(n: number): Record<string, unknown> {
  return Object.fromEntries(EVERY_TYPE_COLUMNS.map((column) => [column.name, column.seen(n)]));
}

/** The every-type table of `rows` rows written by hyparquet-writer, in row groups of `rowGroupSize` rows. */
export function everyTypeWithHyparquet(rows: number, rowGroupSize: number): Buffer {
  const buffer = parquetWriteBuffer({
    columnData: EVERY_TYPE_COLUMNS.map((column) => ({ name: column.name, data: Array.from({ length: rows }, (_, n) => column.written(n)) })),
    schema: [{ name: 'root', num_children: EVERY_TYPE_COLUMNS.length }, ...EVERY_TYPE_COLUMNS.flatMap((column) => column.schema)],
    rowGroupSize,
  });
  return Buffer.from(buffer);
}

/** The every-type table of `rows` rows as pyarrow is given it (see `writeWithPyarrow`). */
export function everyTypeForPyarrow(rows: number): Array<{ name: string; type: string; values: unknown[] }> {
  return EVERY_TYPE_COLUMNS.map((column) => ({ name: column.name, type: column.arrow, values: Array.from({ length: rows }, (_, n) => column.json(n)) }));
}
