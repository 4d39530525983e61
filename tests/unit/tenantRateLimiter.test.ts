import cassandra from 'cassandra-driver';
import { RowWriter } from '../../layers/platform/src/cassandra/RowWriter';
import type { TableSpec } from '../../layers/platform/src/cassandra/TableSpec';
import { DeferredError, ServiceUnavailableError } from '../../layers/platform/src/errors';
import { RatePacer, ratePiece } from '../../layers/platform/src/rates/RatePacer';
import { TenantRateLimiter } from '../../layers/platform/src/rates/TenantRateLimiter';
import { TenantRateStore } from '../../layers/platform/src/rates/TenantRateStore';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';
import { FakeClock } from './fakes/FakeClock';
import { FakeTenantRateStore } from './fakes/FakeTenantRateStore';
import { asReal } from './fakes/Public';

/** A wait on the fake clock: moves it to the end of the wait, unless another waiter moved it further already. */
function sleeper(clock: FakeClock): (ms: number) => Promise<void> {
  return async (ms) => {
    const until = clock.now() + ms;
    await Promise.resolve();
    if (clock.now() < until) clock.advance(until - clock.now());
  };
}

function setUp(burstMs = 0, store = new FakeTenantRateStore(), clock = new FakeClock()) {
  const limiter = new TenantRateLimiter(asReal(store), clock, { burstMs, sleep: sleeper(clock) });
  return { store, clock, limiter, t0: clock.now() };
}

describe('the tenant rate limiter (GCRA over a shared row)', () => {
  it('spaces bookings exactly n / limit apart', async () => {
    const { limiter, clock, t0 } = setUp();
    const times: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      await limiter.acquire('zoo', 'rows', 5, 50);
      times.push(clock.now() - t0);
    }
    expect(times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);

    const odd = setUp();
    const oddTimes: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      await odd.limiter.acquire('zoo', 'stream', 3, 7);
      oddTimes.push(odd.clock.now() - odd.t0);
    }
    // 3 units at 7 a second: 428.572 ms each (rounded up to the microsecond).
    oddTimes.forEach((time, i) => expect(time).toBeCloseTo(i * 428.572, 3));
  });

  it('lets a burst of booked time go ahead, then holds the limit', async () => {
    const { limiter, clock, t0 } = setUp(1000);
    const waits: number[] = [];
    for (let i = 0; i < 15; i += 1) {
      const booking = await limiter.acquire('zoo', 'rows', 10, 100);
      waits.push(booking.acquired ? booking.waitedMs : -1);
    }
    // 10 pieces of 100 ms fill the second of burst at once; every one after waits its 100 ms.
    expect(waits.slice(0, 10)).toEqual(Array(10).fill(0));
    waits.slice(10).forEach((wait) => expect(wait).toBeCloseTo(100, 6));
    expect(clock.now() - t0).toBeCloseTo(500, 6);
  });

  it('holds two limiters sharing one store to the limit together, retrying bookings lost to each other', async () => {
    const store = new FakeTenantRateStore();
    const clock = new FakeClock();
    const t0 = clock.now();
    const a = setUp(0, store, clock).limiter;
    const b = setUp(0, store, clock).limiter;
    const run = async (limiter: TenantRateLimiter) => {
      for (let i = 0; i < 20; i += 1) await limiter.acquire('zoo', 'rows', 10, 100);
    };
    await Promise.all([run(a), run(b)]);
    // 400 rows at 100 a second: 4 s booked; the last piece starts at 3.9 s. Each alone would have taken 1.9 s.
    expect(store.tat('zoo', 'rows')).toBe((t0 + 4000) * 1000);
    expect(clock.now() - t0).toBeCloseTo(3900, 6);
    expect(store.bookings.filter((booking) => booking.outcome === 'applied')).toHaveLength(40);
    expect(store.bookings.some((booking) => booking.outcome === 'lost')).toBe(true);
  });

  it('books again after another booked first, behind it', async () => {
    const { limiter, store, clock, t0 } = setUp();
    await limiter.acquire('zoo', 'rows', 1, 10);
    store.interfere(500_000);
    await limiter.acquire('zoo', 'rows', 1, 10);
    expect(store.bookings.map((booking) => booking.outcome)).toEqual(['applied', 'lost', 'applied']);
    expect(clock.now() - t0).toBe(600);
    expect(store.tat('zoo', 'rows')).toBe((t0 + 700) * 1000);
  });

  it('books again when a booking’s answer is lost: slower, never faster', async () => {
    const { limiter, store, clock, t0 } = setUp();
    store.loseAnswers(1);
    await limiter.acquire('zoo', 'rows', 1, 10);
    // The lost booking did apply: the second one lands behind it, and so does everything after.
    expect(store.bookings.map((booking) => booking.outcome)).toEqual(['unknown', 'applied']);
    expect(clock.now() - t0).toBe(100);
    await limiter.acquire('zoo', 'rows', 1, 10);
    expect(clock.now() - t0).toBe(200);
  });

  it('books nothing when the wait would end past the deadline, and says how long it would be', async () => {
    const { limiter, store, clock, t0 } = setUp();
    await limiter.acquire('zoo', 'stream', 20, 10);
    const booking = await limiter.acquire('zoo', 'stream', 5, 10, t0 + 1000);
    expect(booking).toEqual({ acquired: false, waitMs: 2000 });
    expect(store.tat('zoo', 'stream')).toBe((t0 + 2000) * 1000);
    expect(clock.now()).toBe(t0);
  });

  it('lets a booking bigger than the burst go at its start; its cost holds back the next', async () => {
    const { limiter, clock, t0 } = setUp(1000);
    expect(await limiter.acquire('zoo', 'stream', 50, 10)).toEqual({ acquired: true, waitedMs: 0 });
    await limiter.acquire('zoo', 'stream', 1, 10);
    expect(clock.now() - t0).toBe(4100);
  });

  it('calls the store too busy after too many lost bookings: the work waits as for an outage', async () => {
    const store = new FakeTenantRateStore();
    const clock = new FakeClock();
    const limiter = new TenantRateLimiter(asReal(store), clock, { maxTries: 3, sleep: sleeper(clock) });
    await limiter.acquire('zoo', 'rows', 1, 10);
    store.interfere(1, 1, 1);
    await expect(limiter.acquire('zoo', 'rows', 1, 10)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('keeps the limits of tenants and kinds apart', async () => {
    const { limiter, clock, t0 } = setUp();
    await limiter.acquire('zoo', 'rows', 10, 10);
    await limiter.acquire('zoo', 'stream', 10, 10);
    await limiter.acquire('farm', 'rows', 10, 10);
    expect(clock.now()).toBe(t0);
  });
});

describe('the tenant rate store', () => {
  it('makes the first booking with IF NOT EXISTS and the next with IF tat = ?, as lightweight transactions', async () => {
    const client = new FakeCassandraClient();
    const store = new TenantRateStore(client.asClient(), 'platform');
    expect(await store.read('zoo', 'rows')).toBeUndefined();
    expect(await store.book('zoo', 'rows', undefined, 1_000)).toBe('applied');
    expect(await store.book('zoo', 'rows', 1_000, 2_000)).toBe('applied');
    const [insert, update] = client.matching(/tenant_rates/).filter((statement) => / IF /.test(statement.query));
    expect(insert?.query).toMatch(/INSERT .* IF NOT EXISTS/);
    expect(update?.query).toMatch(/UPDATE .* IF tat = \?/);
    expect(update?.params).toEqual([2_000n, 'zoo', 'rows', 1_000n]);
    expect(update?.options).toMatchObject({ isIdempotent: false, serialConsistency: cassandra.types.consistencies.localSerial });
  });

  it('reads the booked time, and answers unknown when the transaction timed out', async () => {
    const client = new FakeCassandraClient();
    const store = new TenantRateStore(client.asClient(), 'platform');
    client.answer(/^SELECT tat/, [{ tat: 1_234n }]);
    expect(await store.read('zoo', 'rows')).toBe(1_234);
    client.answer(/IF tat/, [{ '[applied]': false }]);
    expect(await store.book('zoo', 'rows', 1, 2)).toBe('lost');
    client.failWhen(() => new cassandra.errors.OperationTimedOutError('timed out'));
    expect(await store.book('zoo', 'rows', 1, 2)).toBe('unknown');
    client.failWhen(() => new Error('syntax'));
    await expect(store.book('zoo', 'rows', 1, 2)).rejects.toThrow('syntax');
  });
});

describe('the rate pacer', () => {
  it('books a tenth of a second’s worth at a time, whatever the limit', () => {
    expect(ratePiece(1)).toBe(1);
    expect(ratePiece(50)).toBe(5);
    expect(ratePiece(100_000)).toBe(10_000);
  });

  it('books in pieces, uses what it booked, and counts its waits', async () => {
    const { limiter, store, clock, t0 } = setUp();
    const pacer = new RatePacer(limiter, 'zoo', 'rows', 1000);
    for (let i = 0; i < 10; i += 1) await pacer.pace(25);
    // 250 rows in pieces of 100: three bookings; the third waits for the first two (200 ms).
    expect(store.bookings).toHaveLength(3);
    expect(clock.now() - t0).toBe(200);
    expect(pacer.waitedMs).toBe(200);
  });

  it('throws a DeferredError, booking nothing, when its wait would pass the deadline', async () => {
    const { limiter, store, t0 } = setUp();
    await limiter.acquire('zoo', 'rows', 5000, 1000);
    const pacer = new RatePacer(limiter, 'zoo', 'rows', 1000, t0 + 1000);
    const error = await pacer.pace(10).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeferredError);
    expect((error as DeferredError).retryAfterSeconds).toBe(5);
    expect(store.bookings).toHaveLength(1);
  });
});

describe('the row writer’s pace', () => {
  const table: TableSpec = {
    name: 'readings',
    columns: { device: 'text', t: 'int' },
    partitionKey: ['device'],
    clusteringKey: [{ column: 't', order: 'ASC' }],
  };

  it('is waited for before each request is sent, with its rows', async () => {
    const client = new FakeCassandraClient();
    const paced: Array<{ rows: number; sentBefore: number }> = [];
    const writer = new RowWriter(client.asClient(), 'tenant_zoo', [table], {
      rowsPerBatch: 10,
      pace: (rows) => {
        paced.push({ rows, sentBefore: client.statements.length });
        return Promise.resolve();
      },
    });
    for (let t = 0; t < 25; t += 1) await writer.write([{ table: 'readings', values: { device: 'd1', t } }]);
    await writer.flush();
    expect(paced).toEqual([
      { rows: 10, sentBefore: 0 },
      { rows: 10, sentBefore: 10 },
      { rows: 5, sentBefore: 20 },
    ]);
    expect(writer.rowsWritten).toBe(25);
  });

  it('throws what the pace throws, sending nothing of those rows', async () => {
    const client = new FakeCassandraClient();
    const writer = new RowWriter(client.asClient(), 'tenant_zoo', [table], {
      pace: () => Promise.reject(new DeferredError('wait', 3)),
    });
    await writer.write([{ table: 'readings', values: { device: 'd1', t: 1 } }]);
    await expect(writer.flush()).rejects.toBeInstanceOf(DeferredError);
    expect(client.statements).toHaveLength(0);
  });
});
