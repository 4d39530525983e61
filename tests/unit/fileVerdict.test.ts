import { fileVerdict, ingestedReason } from '../../layers/platform/src/ingest/files/FileVerdict';

const samples = ['line 2: value: "x" is not a number', 'line 3: value: "y" is not a number', 'line 4: value: "z" is not a number', 'line 5: too many'];

describe('the verdict on a validated file', () => {
  it('rejects a file with more bad rows than the tolerance, naming the first three, dry run or not', () => {
    const reason =
      'more than 2 bad rows (the tenant\'s maxBadRows); nothing was written. First: line 2: value: "x" is not a number; line 3: value: "y" is not a number; line 4: value: "z" is not a number';
    expect(fileVerdict({ rows: 10, badRows: 4, badRowSamples: samples }, { maxBadRows: 2, dryRun: false })).toEqual({ outcome: 'rejected', reason });
    expect(fileVerdict({ rows: 10, badRows: 4, badRowSamples: samples }, { maxBadRows: 2, dryRun: true })).toEqual({ outcome: 'rejected', reason });
  });

  it('says when the tenant tolerates no bad row at all', () => {
    expect(fileVerdict({ rows: 1, badRows: 1, badRowSamples: samples.slice(0, 1) }, { maxBadRows: 0, dryRun: false })).toEqual({
      outcome: 'rejected',
      reason: 'a bad row, and the tenant tolerates none; nothing was written. First: line 2: value: "x" is not a number',
    });
  });

  it('validates a dry run within the tolerance, counting rows and bad rows in the singular and the plural', () => {
    const dryRun = (rows: number, badRows: number) => fileVerdict({ rows, badRows, badRowSamples: samples.slice(0, badRows) }, { maxBadRows: 5, dryRun: true });
    expect(dryRun(3, 0)).toEqual({ outcome: 'validated', reason: 'dry run: 3 rows would be written; nothing was written' });
    expect(dryRun(1, 0)).toEqual({ outcome: 'validated', reason: 'dry run: 1 row would be written; nothing was written' });
    expect(dryRun(40, 1)).toEqual({ outcome: 'validated', reason: 'dry run: 40 rows would be written, 1 bad row skipped; nothing was written' });
    expect(dryRun(0, 2)).toEqual({ outcome: 'validated', reason: 'dry run: 0 rows would be written, 2 bad rows skipped; nothing was written' });
  });

  it('accepts a file within the tolerance, its reason saying the bad rows it skips', () => {
    expect(fileVerdict({ rows: 3, badRows: 0, badRowSamples: [] }, { maxBadRows: 0, dryRun: false })).toEqual({ outcome: 'ingested', reason: undefined });
    expect(fileVerdict({ rows: 2, badRows: 1, badRowSamples: samples.slice(0, 1) }, { maxBadRows: 1, dryRun: false })).toEqual({
      outcome: 'ingested',
      reason: '1 bad row skipped (within the tolerance)',
    });
    expect(ingestedReason(3)).toBe('3 bad rows skipped (within the tolerance)');
    expect(ingestedReason(0)).toBeUndefined();
  });
});
