import cassandra from 'cassandra-driver';
import type { LoginThrottleStore } from '../../../layers/platform/src/auth/LoginThrottleStore';
import type { Public } from './Public';

/** Login throttle marks in memory: each under its key until its time to live runs out (by `now`), newest first. */
export class FakeLoginThrottleStore implements Public<LoginThrottleStore> {
  private readonly marks = new Map<string, Array<{ id: cassandra.types.TimeUuid; at: Date; until: number }>>();

  constructor(private readonly now: () => number = Date.now) {}

  mark(keys: readonly string[], ttlSeconds: number, at = new Date()): Promise<cassandra.types.TimeUuid> {
    const id = cassandra.types.TimeUuid.fromDate(at);
    for (const key of keys) this.marks.set(key, [{ id, at, until: at.getTime() + ttlSeconds * 1000 }, ...(this.marks.get(key) ?? [])]);
    return Promise.resolve(id);
  }

  recent(key: string, limit: number): Promise<Date[]> {
    const live = (this.marks.get(key) ?? []).filter((mark) => mark.until > this.now()).sort((a, b) => b.at.getTime() - a.at.getTime());
    return Promise.resolve(live.slice(0, limit).map((mark) => mark.at));
  }

  remove(key: string, id: cassandra.types.TimeUuid): Promise<void> {
    this.marks.set(
      key,
      (this.marks.get(key) ?? []).filter((mark) => !mark.id.equals(id)),
    );
    return Promise.resolve();
  }

  clear(key: string): Promise<void> {
    this.marks.delete(key);
    return Promise.resolve();
  }
}
