/**
 * The time the fakes see (leases, expiry, days): starts at a fixed instant
 * and moves only when a test moves it.
 */
export class FakeClock {
  constructor(private time = Date.UTC(2026, 10, 30, 12, 0, 0)) {}

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
