/** What picking a peer's best run needs of a run. */
export interface PeerRun {
  readonly loader: string;
  /** The peer the run loaded with, for the plain CSV file (undefined: another loader, or another file). */
  readonly peer?: 'dsbulk' | 'cqlsh';
  /** The tuned setting's name (undefined: the peer's defaults). */
  readonly setting?: string;
  readonly rows: number;
  readonly seconds: number;
}

/**
 * The fastest of `peer`'s runs, its defaults or tuned, among those whose rows
 * all came back (`rows` counted in the table): a run that lost rows is never
 * the best. Undefined when the peer did not run or none of its runs did.
 */
export function bestRun<Run extends PeerRun>(runs: readonly Run[], peer: 'dsbulk' | 'cqlsh', rows: number): Run | undefined {
  return runs
    .filter((run) => run.peer === peer && run.rows === rows)
    .reduce<Run | undefined>((best, run) => (best && best.seconds <= run.seconds ? best : run), undefined);
}

/**
 * Which of `peer`'s runs was best, for the targets line: the setting and its
 * time, and how much faster than the peer's defaults it was.
 */
export function describeBest(runs: readonly PeerRun[], peer: 'dsbulk' | 'cqlsh', rows: number): string {
  const best = bestRun(runs, peer, rows);
  if (!best) return `no ${peer} run loaded every row`;
  const defaults = runs.find((run) => run.peer === peer && run.setting === undefined);
  if (best.setting === undefined) return `its defaults, ${best.seconds.toFixed(1)} s`;
  const faster = defaults ? ` (its defaults: ${defaults.seconds.toFixed(1)} s, ${(defaults.seconds / best.seconds).toFixed(2)} × as long)` : '';
  return `tuned, ${best.setting}, ${best.seconds.toFixed(1)} s${faster}`;
}
