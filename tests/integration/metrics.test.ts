import { expect } from '@jest/globals';
import type cassandra from 'cassandra-driver';
import { MetricsStore } from '../../layers/platform/src/metrics/MetricsStore';
import { MetricValues } from '../../layers/platform/src/metrics/MetricValues';
import { api, connectCassandra, login, topology } from '../helpers/testPlatform';

const MINUTE = 60_000;

describe('the metrics time series (Cassandra)', () => {
  let client: cassandra.Client;
  let store: MetricsStore;
  /** A tenant of its own, so other tests' ingestions do not count here. */
  const tenant = `metrics${Date.now().toString(36)}`;
  /** 00:10 UTC of a day that is over at least an hour ago: every contribution below falls in one day's partition. */
  const base = Math.floor((Date.now() - 2 * 3_600_000) / 86_400_000) * 86_400_000 + 10 * MINUTE;

  beforeAll(async () => {
    client = await connectCassandra();
    store = new MetricsStore(client, topology.platformKeyspace);
  });

  afterAll(async () => {
    await client.shutdown();
  });

  it('sums contributions per minute, and counts a recorded piece of work once however often it is recorded', async () => {
    const file = { tenant, source: 'batch:file-a', at: new Date(base + 5_000), values: MetricValues.of({ files: 1, rows: 100, bytes: 2048, ingestMs: 40 }) };
    await store.record(file);
    await store.record(file); // a redelivered notification
    await store.record({ tenant, source: 'batch:file-b', at: new Date(base + 50_000), values: MetricValues.of({ rejectedFiles: 1, badRows: 7 }) });
    await store.record({ tenant, source: 'stream:s1', at: new Date(base + 2 * MINUTE + 1_000), values: MetricValues.of({ messages: 10, messageBytes: 500 }) });
    // A retried invocation recorded a minute later replaces its first record rather than adding to it.
    await store.record({ tenant, source: 'stream:s2', at: new Date(base + 3 * MINUTE), values: MetricValues.of({ messages: 4 }) });
    await store.record({ tenant, source: 'stream:s2', at: new Date(base + 4 * MINUTE), values: MetricValues.of({ messages: 4 }) });

    const buckets = await store.buckets(tenant, new Date(base - MINUTE), new Date(base + 10 * MINUTE), MINUTE);
    const json = new Map([...buckets].map(([start, values]) => [start - base, values.toJson()]));
    expect([...json.keys()].sort((a, b) => a - b)).toEqual([0, 2 * MINUTE, 4 * MINUTE]);
    expect(json.get(0)).toMatchObject({ files: 1, rows: 100, bytes: 2048, rejectedFiles: 1, badRows: 7 });
    expect(json.get(2 * MINUTE)).toMatchObject({ messages: 10, messageBytes: 500 });
    expect(json.get(4 * MINUTE)).toMatchObject({ messages: 4 });

    const coarse = await store.buckets(tenant, new Date(base - MINUTE), new Date(base + 10 * MINUTE), 60 * MINUTE);
    const total = new MetricValues();
    for (const values of coarse.values()) total.add(values);
    expect(total.toJson()).toMatchObject({ files: 1, rows: 100, rejectedFiles: 1, messages: 14 });
    // Outside the window: nothing.
    expect((await store.buckets(tenant, new Date(base + 5 * MINUTE), new Date(base + 10 * MINUTE), MINUTE)).size).toBe(0);
  });

  it('serves GET /tenants/{t}/metrics with minute buckets, coarser ones for long windows, and refuses bad windows', async () => {
    const token = await login('zoo');
    const day = await api('GET', '/tenants/zoo/metrics', undefined, token);
    expect(day).toMatchObject({ status: 200, body: { tenant: 'zoo', windowHours: 24, bucketSeconds: 60, totals: { files: expect.any(Number) } } });
    expect(Array.isArray(day.body.buckets)).toBe(true);
    expect((await api('GET', '/tenants/zoo/metrics?hours=744', undefined, token)).body.bucketSeconds).toBe(3600);
    expect((await api('GET', '/tenants/zoo/metrics?hours=745', undefined, token)).status).toBe(400);
    expect((await api('GET', '/tenants/shop/metrics', undefined, token)).status).toBe(403);
  });
});
