import { LatencyHistogram } from '../../layers/platform/src/stream/LatencyHistogram';

describe('latency histogram', () => {
  it('gives percentiles within 5 %', () => {
    const histogram = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms += 1) histogram.record(ms);
    expect(histogram.count).toBe(1000);
    expect(histogram.percentile(0.5)).toBeGreaterThanOrEqual(500);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(525);
    expect(histogram.percentile(0.95)).toBeGreaterThanOrEqual(950);
    expect(histogram.percentile(0.95)).toBeLessThanOrEqual(998);
    expect(histogram.percentile(1)).toBe(1000);
    expect(histogram.max).toBe(1000);
  });

  it('merges stored histograms', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let n = 0; n < 90; n += 1) a.record(10);
    for (let n = 0; n < 10; n += 1) b.record(2000);
    const merged = new LatencyHistogram();
    merged.merge(a.buckets, a.max);
    merged.merge(b.buckets, b.max);
    expect(merged.count).toBe(100);
    expect(merged.percentile(0.5)).toBeLessThanOrEqual(11);
    expect(merged.percentile(0.95)).toBe(2000);
    expect(new LatencyHistogram().percentile(0.5)).toBeNull();
  });
});
