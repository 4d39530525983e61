/** Bucket growth factor: percentiles are exact to within 5 %. */
const GROWTH = 1.05;

/**
 * A compact latency histogram with log-scale buckets (5 % wide), mergeable
 * across invocations and stored as a `map<int, int>` in Cassandra.
 *
 * @example
 * const histogram = new LatencyHistogram();
 * histogram.record(12);
 * histogram.percentile(0.95); // ~12
 */
export class LatencyHistogram {
  readonly buckets = new Map<number, number>();
  count = 0;
  max = 0;

  static bucketOf(ms: number): number {
    return ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(GROWTH));
  }

  static upperBound(bucket: number): number {
    return bucket <= 0 ? 1 : Math.round(GROWTH ** bucket);
  }

  record(ms: number): void {
    const value = Math.max(0, ms);
    const bucket = LatencyHistogram.bucketOf(value);
    this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + 1);
    this.count += 1;
    this.max = Math.max(this.max, Math.round(value));
  }

  merge(buckets: ReadonlyMap<number, number>, max: number): void {
    for (const [bucket, count] of buckets) {
      this.buckets.set(bucket, (this.buckets.get(bucket) ?? 0) + count);
      this.count += count;
    }
    this.max = Math.max(this.max, max);
  }

  /** The latency below which `fraction` of the samples fall (upper bucket bound, capped at the max). */
  percentile(fraction: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.ceil(fraction * this.count);
    let seen = 0;
    for (const bucket of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(bucket) as number;
      if (seen >= rank) return Math.min(LatencyHistogram.upperBound(bucket), this.max);
    }
    return this.max;
  }
}
