import { InvalidInputError } from '../../layers/platform/src/errors';
import { formatOf, safeFileName } from '../../layers/platform/src/uploads/fileName';

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
});
