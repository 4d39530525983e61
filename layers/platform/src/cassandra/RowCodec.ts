import cassandra from 'cassandra-driver';
import { RecordError } from '../ingest/records/RecordError';
import { CLIENT_ENCODING } from './createCassandraClient';
import type { OrderedTable, ValuedRow } from './RowValues';

/**
 * How one value is kept: a tag byte, then what the tag says. The common
 * values are kept as what they are (text, a double, an int, a timestamp's
 * milliseconds, a date's day, a bigint, a boolean), read back as values the
 * driver writes into its frames in place; anything else is kept as the bytes
 * the driver's encoder makes of it, read back as a buffer, which the driver
 * sends as it is.
 */
const Tag = { Null: 0, Text: 1, Double: 2, Int: 3, Timestamp: 4, Date: 5, Bigint: 6, True: 7, False: 8, Encoded: 9 } as const;
type Tag = (typeof Tag)[keyof typeof Tag];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Cache sizes for the days rows share (a file holds few days and many rows). */
const MAX_DAYS = 10_000;

/** The driver's encoder (exported by the driver, though its type declarations leave it out). */
interface DriverEncoder {
  encode(value: unknown, type: string): Buffer | null;
  decode(bytes: Buffer, type: { code: number }): unknown;
}
const { Encoder } = cassandra as unknown as { Encoder: new (protocolVersion: number, options: object) => DriverEncoder };
/** The encoder the driver's client encodes with: what a value kept as bytes is made by, and what reads a day back. */
export const driverEncoder = new Encoder(4, { encoding: CLIENT_ENCODING });
const DATE_TYPE = { code: cassandra.types.dataTypes.date };

/**
 * Keeps rows (values in column order, see `RowValues`) as bytes, as the
 * validate pass keeps a chunk's rows for its write pass: `add` takes a
 * record's rows, all or none, refusing with a `RecordError` naming the column
 * a value the driver would refuse to write; `take` hands the bytes kept so far
 * over. {@link decodeRows} reads them back.
 *
 * @example
 * const encoder = new RowEncoder(values.tables);
 * encoder.add([values.of(row)]);
 * const bytes = encoder.take();
 */
export class RowEncoder {
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private offset = 0;
  private readonly days = new Map<cassandra.types.LocalDate, number>();

  constructor(private readonly tables: readonly OrderedTable[]) {}

  /** Bytes kept and not yet taken. */
  get bytes(): number {
    return this.offset;
  }

  /** Keeps a record's rows: all of them, or none when one has a value the driver refuses. */
  add(rows: readonly ValuedRow[]): void {
    const start = this.offset;
    try {
      for (const row of rows) this.addRow(row);
    } catch (error) {
      this.offset = start;
      throw error;
    }
  }

  /** Lets go of the bytes kept so far. */
  clear(): void {
    this.offset = 0;
  }

  /** The bytes kept so far, and a fresh start: a view of the encoder's own buffer, valid until the next `add`. */
  take(): Buffer {
    const taken = this.buffer.subarray(0, this.offset);
    this.offset = 0;
    return taken;
  }

  private addRow(row: ValuedRow): void {
    const table = this.tables[row.table] as OrderedTable;
    this.reserve(1);
    this.buffer[this.offset++] = row.table;
    for (let index = 0; index < table.types.length; index += 1) this.addValue(row.values[index], table, index);
  }

  private addValue(value: unknown, table: OrderedTable, index: number): void {
    if (value === null || value === undefined) return this.tag(Tag.Null);
    switch (table.types[index]) {
      case 'text':
        if (typeof value === 'string') {
          // A UTF-16 code unit takes at most 3 bytes in UTF-8.
          this.reserve(5 + value.length * 3);
          this.buffer[this.offset] = Tag.Text;
          const length = this.buffer.write(value, this.offset + 5, 'utf8');
          this.buffer.writeUInt32LE(length, this.offset + 1);
          this.offset += 5 + length;
          return;
        }
        break;
      case 'double':
      case 'float':
        if (typeof value === 'number') return this.number(Tag.Double, value);
        break;
      case 'int':
        if (typeof value === 'number' && (value | 0) === value) return this.int(Tag.Int, value);
        break;
      case 'timestamp': {
        const millis = value instanceof Date ? value.getTime() : value;
        if (typeof millis === 'number' && Number.isSafeInteger(millis)) return this.number(Tag.Timestamp, millis);
        break;
      }
      case 'date':
        if (value instanceof cassandra.types.LocalDate) {
          this.reserve(5);
          this.buffer[this.offset] = Tag.Date;
          this.buffer.writeUInt32LE(this.dayOf(value), this.offset + 1);
          this.offset += 5;
          return;
        }
        break;
      case 'bigint':
        if (typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX) {
          this.reserve(9);
          this.buffer[this.offset] = Tag.Bigint;
          this.buffer.writeBigInt64LE(value, this.offset + 1);
          this.offset += 9;
          return;
        }
        break;
      case 'boolean':
        if (typeof value === 'boolean') return this.tag(value ? Tag.True : Tag.False);
        break;
      default:
        break;
    }
    this.encoded(value, table, index);
  }

  /** A value kept as the driver encodes it; refused as the driver refuses it. */
  private encoded(value: unknown, table: OrderedTable, index: number): void {
    let bytes: Buffer | null;
    try {
      bytes = driverEncoder.encode(value, table.types[index] as string);
    } catch (error) {
      throw new RecordError(`${table.columns[index] as string}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (bytes === null) return this.tag(Tag.Null);
    this.reserve(5 + bytes.length);
    this.buffer[this.offset] = Tag.Encoded;
    this.buffer.writeUInt32LE(bytes.length, this.offset + 1);
    bytes.copy(this.buffer, this.offset + 5);
    this.offset += 5 + bytes.length;
  }

  /** A date's day as CQL keeps it (days since the epoch, centred on 2^31), once per date. */
  private dayOf(date: cassandra.types.LocalDate): number {
    let day = this.days.get(date);
    if (day === undefined) {
      day = date.toBuffer().readUInt32BE(0);
      if (this.days.size >= MAX_DAYS) this.days.clear();
      this.days.set(date, day);
    }
    return day;
  }

  private tag(tag: Tag): void {
    this.reserve(1);
    this.buffer[this.offset++] = tag;
  }

  private number(tag: Tag, value: number): void {
    this.reserve(9);
    this.buffer[this.offset] = tag;
    this.buffer.writeDoubleLE(value, this.offset + 1);
    this.offset += 9;
  }

  private int(tag: Tag, value: number): void {
    this.reserve(5);
    this.buffer[this.offset] = tag;
    this.buffer.writeInt32LE(value, this.offset + 1);
    this.offset += 5;
  }

  private reserve(length: number): void {
    if (this.offset + length <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + length) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }
}

/** Days read back as the driver's `LocalDate`, once each. */
const dates = new Map<number, cassandra.types.LocalDate>();

function dateOf(day: number): cassandra.types.LocalDate {
  let date = dates.get(day);
  if (date === undefined) {
    const bytes = Buffer.allocUnsafe(4);
    bytes.writeUInt32BE(day, 0);
    date = driverEncoder.decode(bytes, DATE_TYPE) as cassandra.types.LocalDate;
    if (dates.size >= MAX_DAYS) dates.clear();
    dates.set(day, date);
  }
  return date;
}

/**
 * Reads rows kept by {@link RowEncoder} back, a batch of at most `batchRows`
 * at a time: each value as the driver takes it (a timestamp as its
 * milliseconds, a date as a `LocalDate`, a value kept as bytes as a buffer the
 * driver sends as it is).
 *
 * @example
 * for (const rows of decodeRows(bytes, values.tables, 1000)) await writer.writeValued(rows);
 */
export function* decodeRows(bytes: Buffer, tables: readonly OrderedTable[], batchRows: number): Generator<ValuedRow[]> {
  let offset = 0;
  let batch: ValuedRow[] = [];
  while (offset < bytes.length) {
    const tableIndex = bytes[offset++] as number;
    const table = tables[tableIndex];
    if (!table) throw new RangeError(`kept rows name table ${tableIndex}, of ${tables.length}`);
    const count = table.types.length;
    const values = new Array<unknown>(count);
    for (let index = 0; index < count; index += 1) {
      const tag = bytes[offset++];
      switch (tag) {
        case Tag.Null:
          values[index] = null;
          break;
        case Tag.Text: {
          const length = bytes.readUInt32LE(offset);
          values[index] = bytes.toString('utf8', offset + 4, offset + 4 + length);
          offset += 4 + length;
          break;
        }
        case Tag.Double:
        case Tag.Timestamp:
          values[index] = bytes.readDoubleLE(offset);
          offset += 8;
          break;
        case Tag.Int:
          values[index] = bytes.readInt32LE(offset);
          offset += 4;
          break;
        case Tag.Date:
          values[index] = dateOf(bytes.readUInt32LE(offset));
          offset += 4;
          break;
        case Tag.Bigint:
          values[index] = bytes.readBigInt64LE(offset);
          offset += 8;
          break;
        case Tag.True:
        case Tag.False:
          values[index] = tag === Tag.True;
          break;
        case Tag.Encoded: {
          const length = bytes.readUInt32LE(offset);
          values[index] = bytes.subarray(offset + 4, offset + 4 + length);
          offset += 4 + length;
          break;
        }
        default:
          throw new RangeError(`kept rows hold an unknown value tag ${String(tag)} at byte ${offset - 1}`);
      }
    }
    batch.push({ table: tableIndex, values });
    if (batch.length >= batchRows) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
