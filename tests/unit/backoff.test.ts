import { backoff } from '../../layers/platform/src/failures/backoff';

describe('backoff', () => {
  it('starts at the base and doubles with every failure, up to the cap', () => {
    const waits = Array.from({ length: 8 }, (_, attempt) => backoff({ attempt, base: 100, max: 2000 }));
    expect(waits).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
  });

  it('counts in the unit of its numbers: seconds in, seconds out', () => {
    expect([1, 2, 3, 4, 7].map((receiveCount) => backoff({ attempt: receiveCount - 1, base: 10, max: 900 }))).toEqual([10, 20, 40, 80, 640]);
  });

  it('stays at the cap however many failures came before, and never below the base', () => {
    expect(backoff({ attempt: 10_000, base: 200, max: 30_000 })).toBe(30_000);
    expect(backoff({ attempt: Number.MAX_SAFE_INTEGER, base: 0, max: 30_000 })).toBe(0);
    expect(backoff({ attempt: -3, base: 5, max: 300 })).toBe(5);
  });

  it('takes a random share of the wait off when asked to, never more than the jitter', () => {
    expect(backoff({ attempt: 2, base: 1000, max: 15_000, jitter: 0.5, random: () => 0 })).toBe(4000);
    expect(backoff({ attempt: 2, base: 1000, max: 15_000, jitter: 0.5, random: () => 0.5 })).toBe(3000);
    expect(backoff({ attempt: 2, base: 1000, max: 15_000, jitter: 0.5, random: () => 1 })).toBe(2000);
    expect(backoff({ attempt: 9, base: 1000, max: 15_000, jitter: 0.25, random: () => 1 })).toBe(11_250);
    const waits = Array.from({ length: 100 }, () => backoff({ attempt: 3, base: 100, max: 2000, jitter: 1 }));
    expect(waits.every((wait) => wait >= 0 && wait <= 800)).toBe(true);
  });
});
