import cassandra from 'cassandra-driver';
import { CLIENT_ENCODING } from '../../layers/platform/src/cassandra/createCassandraClient';
import { decodeRows, RowEncoder } from '../../layers/platform/src/cassandra/RowCodec';
import { RowValues, type ValuedRow } from '../../layers/platform/src/cassandra/RowValues';
import type { CqlType, TableSpec } from '../../layers/platform/src/cassandra/TableSpec';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';

const { LocalDate, Uuid, TimeUuid, BigDecimal } = cassandra.types;
const { Encoder } = cassandra as unknown as {
  Encoder: new (version: number, options: object) => { encode(value: unknown, type: string): Buffer | null };
};
/** The driver's own encoder, set as the platform's client sets it: the reference every kept value is checked against. */
const driver = new Encoder(4, { encoding: CLIENT_ENCODING });

/** One table with a column of the given type (and a text key). */
function tableOf(type: CqlType): TableSpec {
  return { name: 't', columns: { id: 'text', value: type }, partitionKey: ['id'] };
}

/** Keeps one row and reads it back: the value as the write pass gives it to the driver. */
function roundTrip(type: CqlType, value: unknown): unknown {
  const values = new RowValues([tableOf(type)], 'ks');
  const encoder = new RowEncoder(values.tables);
  encoder.add([values.of({ table: 't', values: { id: 'k', value } })]);
  const [rows] = [...decodeRows(encoder.take(), values.tables, 10)];
  return (rows as ValuedRow[])[0]?.values[1];
}

/** What the driver writes for `value` in a column of `type`, as RowValues hands it over. */
function driverBytes(type: CqlType, value: unknown): Buffer | null {
  const values = new RowValues([tableOf(type)], 'ks');
  return driver.encode(values.of({ table: 't', values: { id: 'k', value } }).values[1], type);
}

const EACH_TYPE: Array<[CqlType, unknown[]]> = [
  ['text', ['turtle-001', '', 'Ääkkönen 漢字 😀', '\uD800 lone', 'x'.repeat(100_000)]],
  ['int', [0, -1, 2 ** 31 - 1, -(2 ** 31), 7n]],
  ['bigint', [0n, -(2n ** 63n), 2n ** 63n - 1n, 42, cassandra.types.Long.fromString('-9007199254740993')]],
  ['double', [1.5, Number.NaN, -0, Number.POSITIVE_INFINITY, 1e308, 5e-324, 3]],
  ['float', [1.1, 0.5, -3]],
  ['timestamp', [new Date(0), new Date(-1), new Date(8.64e15), 1538352000123, '2018-10-01T00:00:00Z']],
  [
    'date',
    [
      '2018-10-01',
      '1970-01-01',
      '-0001-01-01',
      LocalDate.fromString('2100-12-31'),
      LocalDate.fromBuffer(Buffer.from([255, 255, 255, 255])),
      new Date(86_400_000),
    ],
  ],
  ['boolean', [true, false]],
  ['uuid', [Uuid.fromString('6f4c3a5e-3b1a-4c8e-9d1e-0a1b2c3d4e5f'), '6f4c3a5e-3b1a-4c8e-9d1e-0a1b2c3d4e5f']],
  ['timeuuid', [TimeUuid.fromDate(new Date(1538352000000), 1, 'abcdef', 'ab')]],
  ['decimal', [BigDecimal.fromString('12345.678901234567890'), BigDecimal.fromString('-0.001')]],
  ['blob', [Buffer.from([0, 1, 2, 255]), Buffer.alloc(0)]],
  ['list<text>', [['a', 'b', 'ç'], []]],
  ['map<text, text>', [new Map([['a', 'b']])]],
];

describe('RowEncoder and decodeRows', () => {
  it.each(EACH_TYPE)('read back, a %s value makes the bytes the driver makes of the value itself; one the driver refuses is refused', (type, samples) => {
    for (const value of samples) {
      let expected: Buffer | null | Error;
      try {
        expected = driverBytes(type, value);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) expect(() => roundTrip(type, value)).toThrow(new RecordError(`value: ${expected.message}`));
      else expect(driver.encode(roundTrip(type, value), type)).toEqual(expected);
    }
  });

  it('keeps null and missing values as null, in every type', () => {
    for (const [type] of EACH_TYPE) {
      expect(roundTrip(type, null)).toBeNull();
      expect(roundTrip(type, undefined)).toBeNull();
    }
  });

  it('reads the common values back as the values the driver writes in place: text, numbers, a timestamp as its milliseconds, a day as a LocalDate', () => {
    expect(roundTrip('text', 'turtle-001')).toBe('turtle-001');
    expect(roundTrip('double', 25.9)).toBe(25.9);
    expect(roundTrip('int', 2986)).toBe(2986);
    expect(roundTrip('bigint', 12n)).toBe(12n);
    expect(roundTrip('timestamp', new Date(1538352000123))).toBe(1538352000123);
    expect(roundTrip('boolean', false)).toBe(false);
    const day = roundTrip('date', '2018-10-01');
    expect(day).toBeInstanceOf(LocalDate);
    expect(String(day)).toBe('2018-10-01');
    // Anything else goes as the driver's own bytes.
    expect(roundTrip('blob', Buffer.from('hi'))).toEqual(Buffer.from('hi'));
  });

  it('refuses a value the driver refuses, naming the column, and keeps none of the rows of that record', () => {
    const values = new RowValues([{ name: 't', columns: { id: 'text', n: 'int', at: 'timestamp', day: 'date' }, partitionKey: ['id'] }], 'ks');
    const encoder = new RowEncoder(values.tables);
    encoder.add([values.of({ table: 't', values: { id: 'a', n: 1 } })]);
    const kept = encoder.bytes;
    const refuse = (row: Record<string, unknown>) => () =>
      encoder.add([values.of({ table: 't', values: { id: 'b', n: 2 } }), values.of({ table: 't', values: row })]);
    expect(refuse({ id: 'c', n: 'many' })).toThrow(RecordError);
    expect(refuse({ id: 'c', n: 'many' })).toThrow(/^n: /);
    expect(refuse({ id: 'c', at: new Date(Number.NaN) })).toThrow(/^at: .*Invalid date/);
    expect(refuse({ id: 'c', day: 'the first of May' })).toThrow(/^day: /);
    expect(refuse({ id: 7 })).toThrow(/^id: /);
    expect(encoder.bytes).toBe(kept);
    const [rows] = [...decodeRows(encoder.take(), values.tables, 10)];
    expect(rows?.map((row) => row.values[0])).toEqual(['a']);
  });

  it('reads rows of several tables back in order, in batches of the size asked for', () => {
    const a: TableSpec = { name: 'a', columns: { id: 'text', n: 'int' }, partitionKey: ['id'] };
    const b: TableSpec = { name: 'b', columns: { id: 'text', at: 'timestamp', ok: 'boolean' }, partitionKey: ['id', 'at'] };
    const values = new RowValues([a, b], 'ks');
    const encoder = new RowEncoder(values.tables);
    for (let index = 0; index < 25; index += 1) {
      encoder.add([
        values.of({ table: 'a', values: { id: `r${index}`, n: index } }),
        values.of({ table: 'b', values: { id: `r${index}`, at: new Date(index), ok: index % 2 === 0 } }),
      ]);
    }
    const batches = [...decodeRows(encoder.take(), values.tables, 20)];
    expect(batches.map((batch) => batch.length)).toEqual([20, 20, 10]);
    const rows = batches.flat();
    expect(rows[3]).toEqual({ table: 1, values: ['r1', 1, false] });
    expect(rows[48]).toEqual({ table: 0, values: ['r24', 24] });
    expect(values.partitionOf(rows[3] as ValuedRow)).toBe('b\u0000r1\u00001');
    // Taken, the encoder starts again.
    expect(encoder.bytes).toBe(0);
  });

  it('refuses bytes it did not make rather than reading them as rows', () => {
    const values = new RowValues([tableOf('text')], 'ks');
    expect(() => [...decodeRows(Buffer.from([0, 0, 42]), values.tables, 10)]).toThrow(/unknown value tag 42/);
    expect(() => [...decodeRows(Buffer.from([3]), values.tables, 10)]).toThrow(/table 3, of 1/);
  });
});
