import { bestRun, describeBest, type PeerRun } from '../../bench/peers/bestRun';
import { copyOptionsClause } from '../../bench/peers/Cqlsh';
import { CQLSH_GRID, cqlshCopyOptions, describeCqlshSetting } from '../../bench/peers/cqlshGrid';
import { describeDsbulkSetting, DSBULK_GRID, dsbulkSettingArgs } from '../../bench/peers/dsbulkGrid';
import { settingsToRun, tunedGridFor } from '../../bench/peers/tunedGrid';

describe("the peers' tuned grids", () => {
  it('gives dsbulk the flags of a setting, and nothing for what it leaves at the default', () => {
    expect(
      dsbulkSettingArgs({
        name: 'x',
        files: 4,
        maxConcurrentFiles: 4,
        maxConcurrentQueries: 16,
        batchMode: 'REPLICA_SET',
        maxBatchStatements: 64,
        bufferSize: 6400,
      }),
    ).toEqual([
      '-maxConcurrentFiles',
      '4',
      '-maxConcurrentQueries',
      '16',
      '--batch.mode',
      'REPLICA_SET',
      '--batch.maxBatchStatements',
      '64',
      '--batch.bufferSize',
      '6400',
    ]);
    expect(dsbulkSettingArgs({ name: 'batched', files: 1, bufferSize: 3200 })).toEqual(['--batch.bufferSize', '3200']);
    expect(describeDsbulkSetting({ name: 'x', files: 2, maxConcurrentFiles: 2 })).toBe('the file cut into 2 parts, `-maxConcurrentFiles 2`');
  });

  it('reads as many files at once as a dsbulk setting cuts the file into, and fills its batches from its buffer', () => {
    for (const setting of DSBULK_GRID) {
      if (setting.files > 1) expect(setting.maxConcurrentFiles).toBe(setting.files);
      if (setting.bufferSize !== undefined) expect(setting.bufferSize).toBeGreaterThanOrEqual(setting.maxBatchStatements ?? 32);
    }
    expect(new Set(DSBULK_GRID.map((setting) => setting.name)).size).toBe(DSBULK_GRID.length);
  });

  it('gives COPY the options of a setting, as COPY reads them', () => {
    expect(cqlshCopyOptions({ name: 'x', numProcesses: 2, maxBatchSize: 100, chunkSize: 10000 })).toEqual({
      NUMPROCESSES: 2,
      MAXBATCHSIZE: 100,
      CHUNKSIZE: 10000,
    });
    expect(cqlshCopyOptions({ name: 'x', numProcesses: 2 })).toEqual({ NUMPROCESSES: 2 });
    expect(describeCqlshSetting({ name: 'x', numProcesses: 3, maxBatchSize: 50 })).toBe('`NUMPROCESSES = 3 AND MAXBATCHSIZE = 50`');
    expect(copyOptionsClause({ NUMPROCESSES: 2, CHUNKSIZE: 10000 })).toBe(' AND NUMPROCESSES = 2 AND CHUNKSIZE = 10000');
    expect(copyOptionsClause()).toBe('');
    expect(() => copyOptionsClause({ 'NUMPROCESSES = 1; DROP TABLE x; --': 1 })).toThrow(/upper-case words/);
    expect(() => copyOptionsClause({ MAXBATCHSIZE: 1.5 })).toThrow(/whole number/);
    expect(new Set(CQLSH_GRID.map((setting) => setting.name)).size).toBe(CQLSH_GRID.length);
  });

  it('runs the full grid up to a million rows, the best known settings above, and none when asked or without the peers', () => {
    expect(tunedGridFor(1_000_000, {})).toBe('full');
    expect(tunedGridFor(3_000_000, {})).toBe('best');
    expect(tunedGridFor(3_000_000, { BENCH_TUNED_GRID: 'full' })).toBe('full');
    expect(tunedGridFor(1_000_000, { BENCH_TUNED_GRID: 'best' })).toBe('best');
    expect(tunedGridFor(1_000_000, { BENCH_TUNED: 'none' })).toBe('none');
    expect(tunedGridFor(1_000_000, { BENCH_PEERS: 'none' })).toBe('none');
    expect(() => tunedGridFor(1_000_000, { BENCH_TUNED_GRID: 'small' })).toThrow(/full or best/);
  });

  it('picks one best known setting of each peer, all of them or none', () => {
    for (const grid of [DSBULK_GRID, CQLSH_GRID] as ReadonlyArray<ReadonlyArray<{ bestKnown?: boolean }>>) {
      expect(settingsToRun(grid, 'best')).toHaveLength(1);
      expect(settingsToRun(grid, 'full')).toEqual(grid);
      expect(settingsToRun(grid, 'none')).toEqual([]);
    }
  });
});

describe("a peer's best run", () => {
  const run = (loader: string, seconds: number, extra: Partial<PeerRun> = {}): PeerRun => ({ loader, seconds, rows: 100, ...extra });
  const runs: PeerRun[] = [
    run('mysimbdp', 10),
    run('dsbulk', 100, { peer: 'dsbulk' }),
    run('dsbulk (csv.gz)', 5),
    run('dsbulk, tuned: a', 40, { peer: 'dsbulk', setting: 'a' }),
    run('dsbulk, tuned: b', 20, { peer: 'dsbulk', setting: 'b', rows: 99 }),
    run('dsbulk, tuned: c', 30, { peer: 'dsbulk', setting: 'c' }),
    run('cqlsh', 70, { peer: 'cqlsh' }),
    run('cqlsh, tuned: d', 80, { peer: 'cqlsh', setting: 'd' }),
  ];

  it('is the fastest of its runs on the plain file that loaded every row', () => {
    expect(bestRun(runs, 'dsbulk', 100)?.loader).toBe('dsbulk, tuned: c');
    expect(bestRun(runs, 'cqlsh', 100)?.loader).toBe('cqlsh');
    expect(bestRun(runs.slice(0, 1), 'dsbulk', 100)).toBeUndefined();
  });

  it('says which setting it was and what the defaults took', () => {
    expect(describeBest(runs, 'dsbulk', 100)).toBe('tuned, c, 30.0 s (its defaults: 100.0 s, 3.33 × as long)');
    expect(describeBest(runs, 'cqlsh', 100)).toBe('its defaults, 70.0 s');
    expect(describeBest([], 'cqlsh', 100)).toBe('no cqlsh run loaded every row');
  });
});
