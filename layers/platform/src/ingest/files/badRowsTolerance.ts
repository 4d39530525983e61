/**
 * Why a file with more bad rows than its tenant tolerates is rejected, with
 * the first few of them (their positions in the whole file).
 *
 * @example
 * tooManyBadRows(5, ['line 2: temperature: must be at most 100', ...]);
 * // "more than 5 bad rows (the tenant's maxBadRows); nothing was written. First: line 2: ..."
 */
export function tooManyBadRows(maxBadRows: number, samples: readonly string[]): string {
  const tolerance = maxBadRows === 0 ? 'a bad row, and the tenant tolerates none' : `more than ${maxBadRows} bad rows (the tenant's maxBadRows)`;
  return `${tolerance}; nothing was written. First: ${samples.slice(0, 3).join('; ')}`;
}
