import type { Clock } from '../Clock';
import type { TableRow } from '../cassandra/TableSpec';
import { WriteTimeSpent } from './WriteTimeSpent';

export interface RowFeedOptions {
  /** Rows (in the scan's order) an earlier try already wrote: skipped, not written again. */
  readonly from?: number;
  /**
   * For a paced tenant, when (epoch ms) the invocation's time for writing is spent: rows then go one at a time,
   * and the feed throws {@link WriteTimeSpent} before the first row at or past it (once at least one row past
   * `from` is fed). Absent, a batch's rows go together.
   */
  readonly stopAt?: number | undefined;
  readonly clock: Clock;
  /** Runs before every write: a chunk's writer checks that it still holds its lease. */
  readonly beforeWrite?: () => void;
}

/**
 * A scan's sink that feeds its rows to a writer: what both a whole file's
 * write and a chunk's write give `scanSourceRecords`. Counts the rows it is
 * given, so that a chunk resumed after a pause skips those written before it,
 * and a paced write stops in time, saying how many rows it fed.
 *
 * @example
 * const sink = rowFeed(writer, { from: resumeRows, stopAt: pacer ? begun + budgetMs : undefined, clock });
 * await scanSourceRecords(batches, { format, plan, maxBadRows: Infinity, sink });
 */
export function rowFeed<Row = TableRow>(
  writer: { write(rows: readonly Row[]): Promise<void> },
  options: RowFeedOptions,
): (rows: readonly Row[]) => Promise<void> {
  const { from = 0, stopAt, clock, beforeWrite } = options;
  let fed = 0;
  return async (rows) => {
    for (let at = Math.min(rows.length, Math.max(0, from - fed)); at < rows.length;) {
      if (stopAt !== undefined && fed + at > from && clock.now() >= stopAt) throw new WriteTimeSpent(fed + at);
      const next = stopAt === undefined ? rows.length : at + 1;
      beforeWrite?.();
      await writer.write(at === 0 && next === rows.length ? rows : rows.slice(at, next));
      at = next;
    }
    fed += rows.length;
  };
}
