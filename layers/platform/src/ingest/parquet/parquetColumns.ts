import { parquetSchema, type FileMetaData, type SchemaElement, type SchemaTree } from 'hyparquet';
import type { CqlType } from '../../cassandra/TableSpec';
import type { FileColumn } from '../apps/BatchIngestApp';

/** How a column's values, as the reader decodes them, become the values a tenant app sees. */
type ValueKind = 'as-is' | 'integer' | 'decimal' | 'bytes' | 'utf8';

/** A top-level column of a Parquet file: its name, the CQL type it maps to, and its values as a tenant app sees them. */
export interface ParquetColumn extends FileColumn {
  /** The value a tenant app sees for a decoded value (undefined and null are null). */
  readonly value: (decoded: unknown) => unknown;
}

const utf8 = new TextDecoder();

function isDecimal(element: SchemaElement): boolean {
  return element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL';
}

/** A column's CQL type and how its decoded values are handed on, from its Parquet physical and logical types. */
function mapping(node: SchemaTree): { type: CqlType; kind: ValueKind } {
  const { element } = node;
  // Lists, maps and structs: arrays and objects for a tenant app, JSON text for the generic one.
  if (node.children.length > 0) return { type: 'text', kind: 'as-is' };
  const logical = element.logical_type;
  const converted = element.converted_type;
  if (isDecimal(element)) return { type: 'decimal', kind: 'decimal' };
  const unsigned = (bits: number): boolean => (logical?.type === 'INTEGER' && !logical.isSigned && logical.bitWidth === bits) || converted === `UINT_${bits}`;
  const time = logical?.type === 'TIME' || converted === 'TIME_MILLIS' || converted === 'TIME_MICROS';
  switch (element.type) {
    case 'BOOLEAN':
      return { type: 'boolean', kind: 'as-is' };
    case 'INT32':
      if (logical?.type === 'DATE' || converted === 'DATE') return { type: 'date', kind: 'as-is' };
      // A time of day is its count of units since midnight; an unsigned 32-bit integer may not fit a CQL int.
      if (time || unsigned(32)) return { type: 'bigint', kind: 'integer' };
      return { type: 'int', kind: 'as-is' };
    case 'INT64':
      if (logical?.type === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return { type: 'timestamp', kind: 'as-is' };
      // An unsigned 64-bit integer may not fit a CQL bigint.
      return { type: unsigned(64) ? 'decimal' : 'bigint', kind: 'integer' };
    case 'INT96':
      return { type: 'timestamp', kind: 'as-is' };
    case 'FLOAT':
      return { type: 'float', kind: 'as-is' };
    case 'DOUBLE':
      return { type: 'double', kind: 'as-is' };
    default: {
      // BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY.
      const annotation = logical?.type ?? converted;
      if (annotation === 'STRING' || annotation === 'UTF8') return { type: 'text', kind: 'as-is' };
      if (annotation === 'ENUM') return { type: 'text', kind: 'utf8' };
      if (annotation === 'UUID') return { type: 'uuid', kind: 'as-is' };
      if (annotation === 'FLOAT16') return { type: 'float', kind: 'as-is' };
      if (annotation === 'JSON' || annotation === 'GEOMETRY' || annotation === 'GEOGRAPHY') return { type: 'text', kind: 'as-is' };
      return { type: 'blob', kind: 'bytes' };
    }
  }
}

/** A decimal's exact text from its unscaled integer: 12345 at scale 2 is "123.45". */
export function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale <= 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
}

/** The unscaled integer of a decimal as the file holds it: an INT32, an INT64, or big-endian two's complement bytes. */
function unscaledOf(value: number | bigint | Uint8Array): bigint {
  if (typeof value === 'number') return BigInt(value);
  if (typeof value === 'bigint') return value;
  if (value.length === 0) return 0n;
  const unsigned = BigInt(`0x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`);
  return (value[0] as number) & 0x80 ? unsigned - (1n << BigInt(value.length * 8)) : unsigned;
}

function converter(kind: ValueKind, scale: number): (decoded: unknown) => unknown {
  switch (kind) {
    case 'as-is':
      return (decoded) => decoded ?? null;
    case 'integer':
      // An integer is a number when it is exact as one, else a BigInt.
      return (decoded) => {
        if (typeof decoded !== 'bigint') return decoded ?? null;
        const number = Number(decoded);
        return Number.isSafeInteger(number) ? number : decoded;
      };
    case 'decimal':
      return (decoded) => (decoded === undefined || decoded === null ? null : decimalText(unscaledOf(decoded as number | bigint | Uint8Array), scale));
    case 'bytes':
      // A copy: a view would hold the whole page it was decoded from.
      return (decoded) => (decoded instanceof Uint8Array ? Buffer.from(decoded) : (decoded ?? null));
    case 'utf8':
      return (decoded) => (decoded instanceof Uint8Array ? utf8.decode(decoded) : (decoded ?? null));
  }
}

/**
 * The top-level columns of a Parquet file, from its footer, each with the CQL
 * type it maps to and how its values reach a tenant app:
 *
 * - BOOLEAN: boolean; INT32 (and INT8, INT16): int, a number; INT64: bigint, a
 *   number when it is a safe integer (|n| < 2^53), else a BigInt; unsigned
 *   UINT32: bigint, UINT64: decimal; FLOAT, FLOAT16: float; DOUBLE: double;
 * - DECIMAL (of any physical type): decimal, its exact text ("123.45");
 * - DATE: date, "YYYY-MM-DD"; TIMESTAMP (millis, micros, nanos, adjusted to
 *   UTC or not) and INT96: timestamp, a Date (to the millisecond); TIME: bigint,
 *   its count of units since midnight;
 * - STRING, ENUM: text; UUID: uuid, its text; JSON: text (the parsed value);
 *   GEOMETRY, GEOGRAPHY: text (GeoJSON); other binary: blob, a Buffer;
 * - lists, maps and structs: text (JSON) for the generic app; arrays and objects for a tenant app.
 *
 * @example
 * parquetColumns(metadata); // [{ name: 'dev_id', type: 'text', value }, { name: 'ts', type: 'timestamp', value }, ...]
 */
export function parquetColumns(metadata: FileMetaData): ParquetColumn[] {
  return parquetSchema(metadata).children.map((node) => {
    const { type, kind } = mapping(node);
    const { element } = node;
    const scale = element.logical_type?.type === 'DECIMAL' ? element.logical_type.scale : (element.scale ?? 0);
    return { name: element.name, type, value: converter(kind, scale) };
  });
}

/**
 * The footer as the reader is given it: decimal columns without their
 * DECIMAL annotation, so that the reader hands on their unscaled integers
 * (which {@link parquetColumns} makes exact text) instead of rounding them to
 * floating point.
 */
export function withRawDecimals(metadata: FileMetaData): FileMetaData {
  if (!metadata.schema.some(isDecimal)) return metadata;
  return {
    ...metadata,
    schema: metadata.schema.map((element) => (isDecimal(element) ? { ...element, converted_type: undefined, logical_type: undefined } : element)),
  };
}
