import type { BookingOutcome, RateKind, TenantRateStore } from '../../../layers/platform/src/rates/TenantRateStore';
import type { Public } from './Public';

/**
 * The tenants' booked-until times in memory, with the store's rule: a booking
 * applies only when the time is still what the booker read. A test can have
 * another booking slip in before the next ones (`interfere`), or have the next
 * bookings apply but answer `unknown`, as a timed-out lightweight transaction
 * does (`loseAnswers`).
 */
export class FakeTenantRateStore implements Public<TenantRateStore> {
  private readonly tats = new Map<string, number>();
  /** Every booking tried, with how it went. */
  readonly bookings: Array<{ tenant: string; kind: RateKind; next: number; outcome: BookingOutcome }> = [];
  private interferences: number[] = [];
  private lostAnswers = 0;

  /** The next bookings each find that another booked `micros` more first. */
  interfere(...micros: number[]): void {
    this.interferences.push(...micros);
  }

  /** The next `count` bookings apply, but their answer is lost. */
  loseAnswers(count: number): void {
    this.lostAnswers += count;
  }

  tat(tenant: string, kind: RateKind): number | undefined {
    return this.tats.get(`${tenant}/${kind}`);
  }

  read(tenant: string, kind: RateKind): Promise<number | undefined> {
    return Promise.resolve(this.tat(tenant, kind));
  }

  book(tenant: string, kind: RateKind, expected: number | undefined, next: number): Promise<BookingOutcome> {
    const key = `${tenant}/${kind}`;
    const other = this.interferences.shift();
    if (other !== undefined) this.tats.set(key, (this.tats.get(key) ?? expected ?? 0) + other);
    let outcome: BookingOutcome = 'lost';
    if (this.tats.get(key) === expected) {
      this.tats.set(key, next);
      outcome = 'applied';
      if (this.lostAnswers > 0) {
        this.lostAnswers -= 1;
        outcome = 'unknown';
      }
    }
    this.bookings.push({ tenant, kind, next, outcome });
    return Promise.resolve(outcome);
  }
}
