/** What the validation of a whole file found: rows its good records make, and its bad rows. */
export interface FileTotals {
  readonly rows: number;
  readonly badRows: number;
  /** The first bad rows, each with its line (or element) number and why, in file order. */
  readonly badRowSamples: readonly string[];
}

/** What the tenant asked for the file: its profile's tolerance of bad rows, and whether the upload is a dry run. */
export interface FileRules {
  readonly maxBadRows: number;
  readonly dryRun: boolean;
}

/**
 * How a validated file ends, and the reason its ingestion record gives:
 * - `rejected`: more bad rows than the tenant tolerates; nothing is written;
 * - `validated`: a dry run within the tolerance; nothing is written;
 * - `ingested`: within the tolerance; the rows are to be written, and the
 *   reason (bad rows skipped, if any) is the one the record gives once they are.
 */
export type FileVerdict =
  | { readonly outcome: 'rejected'; readonly reason: string }
  | { readonly outcome: 'validated'; readonly reason: string }
  | { readonly outcome: 'ingested'; readonly reason: string | undefined };

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** "3 bad rows skipped", or undefined for a file without bad rows. */
function skipped(badRows: number): string | undefined {
  return badRows > 0 ? `${count(badRows, 'bad row')} skipped` : undefined;
}

/**
 * Why a file with more bad rows than its tenant tolerates is rejected, with
 * the first few of them (their positions in the whole file).
 *
 * @example
 * tooManyBadRows(5, ['line 2: temperature: must be at most 100', ...]);
 * // "more than 5 bad rows (the tenant's maxBadRows); nothing was written. First: line 2: ..."
 */
function tooManyBadRows(maxBadRows: number, samples: readonly string[]): string {
  const tolerance = maxBadRows === 0 ? 'a bad row, and the tenant tolerates none' : `more than ${maxBadRows} bad rows (the tenant's maxBadRows)`;
  return `${tolerance}; nothing was written. First: ${samples.slice(0, 3).join('; ')}`;
}

/**
 * The verdict on a file from its totals, the same for a file ingested whole
 * and for one ingested in chunks (where the totals are the sum of its
 * validated chunks: over the tolerance, the file is rejected before the last
 * chunk is validated).
 *
 * @example
 * fileVerdict({ rows: 40, badRows: 1, badRowSamples: ['line 3: ...'] }, { maxBadRows: 5, dryRun: true });
 * // { outcome: 'validated', reason: 'dry run: 40 rows would be written, 1 bad row skipped; nothing was written' }
 */
export function fileVerdict(totals: FileTotals, rules: FileRules): FileVerdict {
  if (totals.badRows > rules.maxBadRows) return { outcome: 'rejected', reason: tooManyBadRows(rules.maxBadRows, totals.badRowSamples) };
  if (rules.dryRun) {
    const bad = skipped(totals.badRows);
    return { outcome: 'validated', reason: `dry run: ${count(totals.rows, 'row')} would be written${bad ? `, ${bad}` : ''}; nothing was written` };
  }
  return { outcome: 'ingested', reason: ingestedReason(totals.badRows) };
}

/**
 * The reason an ingested file's record gives, from the bad rows it skipped.
 * A file in chunks is judged once, before its chunks are written: once they
 * are, it only says this, whatever the profile says by then.
 */
export function ingestedReason(badRows: number): string | undefined {
  const bad = skipped(badRows);
  return bad ? `${bad} (within the tolerance)` : undefined;
}
