/** One setting of cqlsh COPY FROM's tuned grid; an option left out keeps COPY's default. */
export interface CqlshSetting {
  /** Short, for the loader's name in the table. */
  readonly name: string;
  /** NUMPROCESSES: the worker processes that parse and write (default cores - 1: 1 here). */
  readonly numProcesses: number;
  /** MAXBATCHSIZE: the rows a batch holds at most (default 20). */
  readonly maxBatchSize?: number;
  /** CHUNKSIZE: the rows the feeder hands a worker at a time (default 5000). */
  readonly chunkSize?: number;
  /** The setting run alone when the grid is cut to the best known (`BENCH_TUNED_GRID=best`). */
  readonly bestKnown?: boolean;
}

/**
 * The tuned grid for a two-core machine with Cassandra on it. COPY's parent
 * process reads the file and feeds chunks to its workers, which parse the
 * rows (in Python, the cost that bounds it) and send each chunk's rows in
 * batches grouped by token-ring position; so the workers (1 by default, 2 and
 * 3 tried) and the batch size (20 by default) are what can change its speed,
 * the chunk size how many rows a batch can be grouped from. Left at their
 * defaults: INGESTRATE (100,000 rows a second, far above what COPY reaches
 * here: never a cap) and MINBATCHSIZE (10: with 16 ring positions a node and
 * chunks of 5,000 rows and more, every position has more rows than that, so
 * batches are always grouped by position).
 */
export const CQLSH_GRID: readonly CqlshSetting[] = [
  { name: '1 process, batches of 100, chunks of 10000', numProcesses: 1, maxBatchSize: 100, chunkSize: 10000 },
  { name: '2 processes', numProcesses: 2 },
  { name: '2 processes, batches of 50', numProcesses: 2, maxBatchSize: 50 },
  { name: '2 processes, batches of 100, chunks of 10000', numProcesses: 2, maxBatchSize: 100, chunkSize: 10000, bestKnown: true },
  { name: '3 processes, batches of 100, chunks of 20000', numProcesses: 3, maxBatchSize: 100, chunkSize: 20000 },
];

/** The COPY FROM options a setting gives (see `Cqlsh.load`'s `copyOptions`). */
export function cqlshCopyOptions(setting: CqlshSetting): Record<string, number> {
  return {
    NUMPROCESSES: setting.numProcesses,
    ...(setting.maxBatchSize === undefined ? {} : { MAXBATCHSIZE: setting.maxBatchSize }),
    ...(setting.chunkSize === undefined ? {} : { CHUNKSIZE: setting.chunkSize }),
  };
}

/** What a setting changes, for the table's notes: the options as COPY is given them. */
export function describeCqlshSetting(setting: CqlshSetting): string {
  return `\`${Object.entries(cqlshCopyOptions(setting))
    .map(([name, value]) => `${name} = ${value}`)
    .join(' AND ')}\``;
}
