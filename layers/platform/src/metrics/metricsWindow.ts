import { InvalidInputError } from '../errors';

/** The longest window a report covers: 31 days. */
export const MAX_WINDOW_HOURS = 24 * 31;

/** Bucket sizes in seconds (1, 5, 15, 60 minutes), finest first; a window gets the finest that keeps it under MAX_BUCKETS. */
export const BUCKET_SECONDS = [60, 300, 900, 3600] as const;
const MAX_BUCKETS = 1500;

export interface MetricsWindow {
  readonly hours: number;
  readonly since: Date;
  readonly until: Date;
  readonly bucketSeconds: (typeof BUCKET_SECONDS)[number];
}

/**
 * The time window of a report from its `hours` query parameter (default 24,
 * 1 to 744): minute buckets up to a day, coarser ones (5, 15, 60 minutes) for
 * longer windows, so a chart never has more than 1500 points.
 *
 * @example
 * metricsWindow('168').bucketSeconds; // 900
 */
export function metricsWindow(hoursParameter: string | undefined, now = new Date()): MetricsWindow {
  const hours = hoursParameter === undefined ? 24 : Number(hoursParameter);
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_WINDOW_HOURS)
    throw new InvalidInputError(`hours must be a whole number from 1 to ${MAX_WINDOW_HOURS}`);
  const bucketSeconds = BUCKET_SECONDS.find((size) => (hours * 3600) / size <= MAX_BUCKETS) ?? 3600;
  return { hours, since: new Date(now.getTime() - hours * 3_600_000), until: now, bucketSeconds };
}
