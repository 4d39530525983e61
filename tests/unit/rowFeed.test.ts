import type { TableRow } from '../../layers/platform/src/cassandra/TableSpec';
import { rowFeed } from '../../layers/platform/src/rates/rowFeed';
import { WriteTimeSpent } from '../../layers/platform/src/rates/WriteTimeSpent';
import { FakeClock } from './fakes/FakeClock';

/** Rows numbered from `first`, as a scan's batch gives them. */
const batch = (first: number, count: number): TableRow[] => Array.from({ length: count }, (_, index) => ({ table: 't', values: { id: first + index } }));

/** A writer that records the ids of every write call, one array per call; each write moves the clock by `msPerRow` a row. */
function recordingWriter(clock: FakeClock, msPerRow = 0) {
  const calls: number[][] = [];
  return {
    calls,
    write: (rows: readonly TableRow[]) => {
      calls.push(rows.map((row) => row.values.id as number));
      clock.advance(msPerRow * rows.length);
      return Promise.resolve();
    },
  };
}

describe('rowFeed: the one sink that feeds a scan to a writer', () => {
  it('writes a batch in one call for a tenant without a limit', async () => {
    const clock = new FakeClock();
    const writer = recordingWriter(clock);
    const sink = rowFeed(writer, { clock });
    await sink(batch(0, 3));
    await sink(batch(3, 2));
    expect(writer.calls).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
  });

  it('skips the rows an earlier try wrote, across batches, and writes the rest', async () => {
    const clock = new FakeClock();
    const writer = recordingWriter(clock);
    const sink = rowFeed(writer, { from: 4, clock });
    await sink(batch(0, 3));
    await sink(batch(3, 3));
    await sink(batch(6, 2));
    expect(writer.calls).toEqual([
      [4, 5],
      [6, 7],
    ]);
  });

  it('feeds a paced tenant one row at a time and stops when the time is spent, saying how many rows it fed', async () => {
    const clock = new FakeClock();
    const writer = recordingWriter(clock, 100);
    const sink = rowFeed(writer, { stopAt: clock.now() + 250, clock });
    const spent = await sink(batch(0, 5)).catch((error: unknown) => error);
    expect(spent).toBeInstanceOf(WriteTimeSpent);
    expect((spent as WriteTimeSpent).rowsFed).toBe(3);
    expect(writer.calls).toEqual([[0], [1], [2]]);
  });

  it('counts the skipped rows among those fed, and writes at least one new row even when the time is spent already', async () => {
    const clock = new FakeClock();
    const writer = recordingWriter(clock, 100);
    const sink = rowFeed(writer, { from: 2, stopAt: clock.now() - 1, clock });
    const spent = await sink(batch(0, 5)).catch((error: unknown) => error);
    expect((spent as WriteTimeSpent).rowsFed).toBe(3);
    expect(writer.calls).toEqual([[2]]);
  });

  it('checks before every write (a chunk its lease) and stops at the first refusal', async () => {
    const clock = new FakeClock();
    const writer = recordingWriter(clock);
    let checks = 0;
    const sink = rowFeed(writer, {
      clock,
      stopAt: clock.now() + 1000,
      beforeWrite: () => {
        checks += 1;
        if (checks === 3) throw new Error('lease lost');
      },
    });
    await expect(sink(batch(0, 5))).rejects.toThrow('lease lost');
    expect(writer.calls).toEqual([[0], [1]]);
  });
});
