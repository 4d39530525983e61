import { cqlValue } from '../../layers/platform/src/ingest/apps/cqlValue';
import { inferColumnType } from '../../layers/platform/src/ingest/apps/inferColumnType';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';

describe('conservative column types', () => {
  it.each([
    [['1', '22', '-3'], 'bigint'],
    [['1', '2.5', '1e3'], 'double'],
    [['true', 'FALSE'], 'boolean'],
    [['2024-01-01', '2024-12-31'], 'date'],
    [['2024-01-01T10:00:00Z', '2024-01-01 10:00:00+02:00'], 'timestamp'],
    [['00501', '10001'], 'text'],
    [['007.5'], 'text'],
    [['2024-01-01T10:00:00'], 'text'],
    [['1', 'abc'], 'text'],
    [['', ''], 'text'],
    [['12345678901234567890'], 'text'],
    [[1, 2.5], 'double'],
    [[{ a: 1 }], 'text'],
  ])('%j is %s', (values, type) => {
    expect(inferColumnType(values)).toBe(type);
  });

  it('ignores empty values when typing', () => {
    expect(inferColumnType(['', '5', ''])).toBe('bigint');
  });
});

describe('values for CQL columns', () => {
  it('converts text to the column type', () => {
    expect(cqlValue('42', 'bigint', 'n')).toBe(42n);
    expect(cqlValue('2.5', 'double', 'x')).toBe(2.5);
    expect(cqlValue('TRUE', 'boolean', 'b')).toBe(true);
    expect(cqlValue('2024-02-29', 'date', 'd')).toBe('2024-02-29');
    expect(cqlValue('2024-01-01T10:00:00Z', 'timestamp', 't')).toEqual(new Date('2024-01-01T10:00:00Z'));
    expect(cqlValue({ a: 1 }, 'text', 'j')).toBe('{"a":1}');
    expect(cqlValue('', 'bigint', 'n')).toBeNull();
  });

  it('takes the values a Parquet file gives: BigInts, bytes, Dates, decimals as text, nested values as JSON', () => {
    expect(cqlValue(2n ** 62n, 'bigint', 'n')).toBe(2n ** 62n);
    expect(cqlValue(7n, 'int', 'n')).toBe(7);
    expect(() => cqlValue(2n ** 40n, 'int', 'n')).toThrow('n: "1099511627776" is not a valid int');
    expect(cqlValue(3n, 'double', 'x')).toBe(3);
    expect(String(cqlValue('12345678901234567890.12', 'decimal', 'price'))).toBe('12345678901234567890.12');
    expect(cqlValue(Buffer.from([1, 2]), 'blob', 'raw')).toEqual(Buffer.from([1, 2]));
    expect(cqlValue(Uint8Array.of(1, 2), 'text', 'raw')).toBe('AQI=');
    expect(cqlValue(new Date(0), 'text', 'at')).toBe('1970-01-01T00:00:00.000Z');
    expect(cqlValue({ big: 2n ** 64n, small: [1n] }, 'text', 'j')).toBe('{"big":"18446744073709551616","small":[1]}');
    expect(() => cqlValue('abc', 'blob', 'raw')).toThrow(RecordError);
  });

  it('names the column of a value that does not fit', () => {
    expect(() => cqlValue('abc', 'double', 'temperature')).toThrow(RecordError);
    expect(() => cqlValue('abc', 'double', 'temperature')).toThrow('temperature: "abc" is not a valid double');
    expect(() => cqlValue('2023-02-29', 'date', 'day')).toThrow(/day: .* is not a valid date/);
  });
});
