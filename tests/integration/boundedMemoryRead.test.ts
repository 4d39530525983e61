import { expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';

/**
 * The record reader in a process of its own with a 64 MB heap, on a 300 MB CSV it makes as it goes: every record
 * is read and the process never holds the file. No service is involved; it is here rather than among the unit
 * tests because it takes half a minute of a core.
 */
describe('bounded memory', () => {
  it('reads a 300 MB CSV with a 64 MB heap', () => {
    const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', 'tests/helpers/readLargeCsv.ts', '300'], { encoding: 'utf8' });
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { records: number; expectedRecords: number; bytes: number; peakRssBytes: number };
    expect(result.bytes).toBeGreaterThanOrEqual(300_000_000);
    expect(result.records).toBe(result.expectedRecords);
    expect(result.peakRssBytes).toBeLessThan(256 * 1024 * 1024);
  });
});
