/**
 * One setting of dsbulk's tuned grid: how many files the CSV is cut into and
 * the dsbulk 1.10 settings it runs with; a setting left out keeps dsbulk's
 * default.
 */
export interface DsbulkSetting {
  /** Short, for the loader's name in the table. */
  readonly name: string;
  /** The parts the CSV is cut into, each with the header (1: the file itself). */
  readonly files: number;
  /** `-maxConcurrentFiles`: the files read at once (default AUTO: one a core). */
  readonly maxConcurrentFiles?: number;
  /** `-maxConcurrentQueries`: the writes in flight (default AUTO, see below). */
  readonly maxConcurrentQueries?: number;
  /** `--batch.mode` (default PARTITION_KEY). */
  readonly batchMode?: 'PARTITION_KEY' | 'REPLICA_SET';
  /** `--batch.maxBatchStatements`: the rows a batch holds at most (default 32). */
  readonly maxBatchStatements?: number;
  /** `--batch.bufferSize`: the rows batches are grouped from (default 4 × maxBatchStatements). */
  readonly bufferSize?: number;
  /** The setting run alone when the grid is cut to the best known (`BENCH_TUNED_GRID=best`). */
  readonly bestKnown?: boolean;
}

/**
 * The tuned grid for a two-core machine with Cassandra on it, from what
 * dsbulk does by default there:
 * - batching: by partition, from a buffer of 128 rows (4 × 32). The readings
 *   file interleaves its 100 trackers row by row, so 128 rows hold about one
 *   row a partition, and batches average 1.3 rows: a write per row. A buffer
 *   of 100 × N rows gives batches of N rows of one partition.
 * - reading: the file's lines are parsed on one thread, and mapped to
 *   statements on one thread a core. A folder's files are parsed on that one
 *   thread too unless 4 or more are read at once (`maxConcurrentFiles`, AUTO:
 *   one a core, 2 here): then every workflow thread (one a core) parses and
 *   maps files of its own;
 * - writing: AUTO is 16 queries a core in flight (32 here) for rows under
 *   512 bytes, 32 a core (64) with 4 files read at once.
 * On two cores Cassandra and dsbulk share the CPU: fewer, larger writes leave
 * the node more of it, and fewer queries in flight than AUTO's are tried.
 * `--executor.maxPerSecond` and `--executor.maxInFlight` stay unset (no
 * limit): they only hold dsbulk back.
 */
export const DSBULK_GRID: readonly DsbulkSetting[] = [
  { name: 'batches of 32', files: 1, bufferSize: 3200 },
  { name: '2 files, batches of 32, 16 queries', files: 2, maxConcurrentFiles: 2, maxConcurrentQueries: 16, maxBatchStatements: 32, bufferSize: 3200 },
  {
    name: '4 files, batches of 64, 16 queries',
    files: 4,
    maxConcurrentFiles: 4,
    maxConcurrentQueries: 16,
    maxBatchStatements: 64,
    bufferSize: 6400,
    bestKnown: true,
  },
  { name: '4 files, batches of 100, 8 queries', files: 4, maxConcurrentFiles: 4, maxConcurrentQueries: 8, maxBatchStatements: 100, bufferSize: 10000 },
  {
    name: '2 files, replica-set batches of 32, 16 queries',
    files: 2,
    maxConcurrentFiles: 2,
    maxConcurrentQueries: 16,
    batchMode: 'REPLICA_SET',
    maxBatchStatements: 32,
  },
];

/** The dsbulk arguments a setting adds to a load (the folder of parts is its `-url`, given apart). */
export function dsbulkSettingArgs(setting: DsbulkSetting): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('-maxConcurrentFiles', setting.maxConcurrentFiles);
  add('-maxConcurrentQueries', setting.maxConcurrentQueries);
  add('--batch.mode', setting.batchMode);
  add('--batch.maxBatchStatements', setting.maxBatchStatements);
  add('--batch.bufferSize', setting.bufferSize);
  return args;
}

/** What a setting changes, for the table's notes: the parts, then the flags as given. */
export function describeDsbulkSetting(setting: DsbulkSetting): string {
  const parts = setting.files === 1 ? 'the file itself' : `the file cut into ${setting.files} parts`;
  return `${parts}, \`${dsbulkSettingArgs(setting).join(' ')}\``;
}
