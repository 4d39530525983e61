import type { Clock } from '../../../layers/platform/src/Clock';

/**
 * The time the core and the fakes see (leases, claims, expiry, days): starts
 * at a fixed instant (midday of 2021-06-15 by default: years before any day
 * the tests run on, so a part that reads the machine's clock instead of this
 * one is found at once, whatever the date) and moves only when a test moves
 * it.
 */
export class FakeClock implements Clock {
  constructor(private time = Date.UTC(2021, 5, 15, 12, 0, 0)) {}

  now(): number {
    return this.time;
  }

  date(): Date {
    return new Date(this.time);
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
