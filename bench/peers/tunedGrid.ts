/** Which of the peers' tuned settings a run loads with. */
export type TunedGrid = 'full' | 'best' | 'none';

/** The largest file the full grid runs on by default: past it, each tuned run takes minutes. */
export const FULL_GRID_MAX_ROWS = 1_000_000;

/**
 * The tuned settings to run for a file of `rows` rows: none without the peers
 * (`BENCH_PEERS=none`) or with `BENCH_TUNED=none`; else `BENCH_TUNED_GRID`
 * (`full`: every setting; `best`: the best known of each peer), by default
 * the full grid up to {@link FULL_GRID_MAX_ROWS} rows and the best known
 * above.
 */
export function tunedGridFor(rows: number, env: NodeJS.ProcessEnv = process.env): TunedGrid {
  if (env.BENCH_PEERS === 'none' || env.BENCH_TUNED === 'none') return 'none';
  const asked = env.BENCH_TUNED_GRID;
  if (asked === undefined || asked === '') return rows <= FULL_GRID_MAX_ROWS ? 'full' : 'best';
  if (asked === 'full' || asked === 'best') return asked;
  throw new RangeError(`BENCH_TUNED_GRID is full or best, not ${JSON.stringify(asked)}`);
}

/** The settings of a grid that `grid` runs. */
export function settingsToRun<Setting extends { readonly bestKnown?: boolean }>(settings: readonly Setting[], grid: TunedGrid): Setting[] {
  if (grid === 'none') return [];
  return grid === 'full' ? [...settings] : settings.filter((setting) => setting.bestKnown);
}
