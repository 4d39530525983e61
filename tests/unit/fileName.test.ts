import { InvalidInputError } from '../../layers/platform/src/errors';
import { FILE_FORMATS, fileFormat, formatParts } from '../../layers/platform/src/tenants/FileFormat';
import { fileStem, formatOf, safeFileName } from '../../layers/platform/src/uploads/fileName';

describe('upload file names', () => {
  it('accepts plain names', () => {
    expect(safeFileName('readings 2024-01.csv')).toBe('readings 2024-01.csv');
  });

  it.each([
    ['../../etc/passwd', /plain name/],
    ['..', /plain name/],
    ['a/b.csv', /plain name/],
    ['a\\b.csv', /plain name/],
    ['bad\u0000name.csv', /control characters/],
    ['line\nbreak.csv', /control characters/],
    [`${'x'.repeat(129)}.csv`, /the limit is 128/],
    ['.hidden.csv', /must start with a letter or digit/],
    ['semi;colon.csv', /may only use/],
    ['', /required/],
  ])('refuses %j', (name, reason) => {
    expect(() => safeFileName(name)).toThrow(InvalidInputError);
    expect(() => safeFileName(name)).toThrow(reason);
  });

  it('knows formats by extension', () => {
    expect(formatOf('a.csv')).toBe('csv');
    expect(formatOf('a.JSONL')).toBe('ndjson');
    expect(formatOf('a.json')).toBe('json');
    expect(formatOf('a.xlsx')).toBeUndefined();
    expect(formatOf('README')).toBeUndefined();
  });

  it('knows Parquet and compressed text by their extensions', () => {
    expect(formatOf('a.parquet')).toBe('parquet');
    expect(formatOf('a.csv.gz')).toBe('csv.gz');
    expect(formatOf('a.CSV.GZIP')).toBe('csv.gz');
    expect(formatOf('a.jsonl.zstd')).toBe('ndjson.zst');
    expect(formatOf('a.json.zst')).toBe('json.zst');
    expect(formatOf('a.parquet.gz')).toBeUndefined();
    expect(formatOf('a.gz')).toBeUndefined();
    expect(formatOf('a.txt.zst')).toBeUndefined();
  });

  it('takes a file name apart into its stem and its format', () => {
    expect(fileStem('readings-2024.csv.gz')).toBe('readings-2024');
    expect(fileStem('readings.v2.parquet')).toBe('readings.v2');
    expect(fileStem('notes.txt')).toBe('notes');
    expect(fileStem('README')).toBe('README');
    for (const format of FILE_FORMATS) expect(fileFormat(formatParts(format))).toBe(format);
    expect(formatParts('ndjson.zst')).toEqual({ records: 'ndjson', compression: 'zstd' });
  });
});
