import { formatByteSize, parseByteSize } from '../../layers/platform/src/units/byteSize';

describe('byte sizes with explicit units', () => {
  it('reads decimal and binary units', () => {
    expect(parseByteSize('10 MiB')).toBe(10 * 1024 * 1024);
    expect(parseByteSize('10 MB')).toBe(10_000_000);
    expect(parseByteSize('1.5 KiB')).toBe(1536);
    expect(parseByteSize('512 B')).toBe(512);
  });

  it('refuses a size without a unit, naming the accepted units', () => {
    expect(() => parseByteSize('1000')).toThrow(/write a number and a unit.*MiB/);
    expect(() => parseByteSize('10 potatoes')).toThrow(RangeError);
  });

  it('formats sizes for people', () => {
    expect(formatByteSize(2 * 1024 * 1024)).toBe('2 MiB');
    expect(formatByteSize(3_000_000)).toBe('2.9 MiB');
    expect(formatByteSize(12)).toBe('12 B');
  });
});
