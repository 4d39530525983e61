import type { IngestionFilter, IngestionKey, IngestionRecord, IngestionStore } from '../../../layers/platform/src/ingest/files/IngestionStore';
import { FakeClock } from './FakeClock';
import type { Public } from './Public';

/**
 * Ingestion records in memory, with the store's guarantees: `create` only
 * where there is none, and a change of status only from one of the statuses
 * (and phase) it names, for the run it names, as the lightweight transactions
 * do. Keeps every transition that was applied, in order, and fails every call
 * while a test says the store is down. Changes are stamped by the fake clock.
 */
export class FakeIngestionStore implements Public<IngestionStore> {
  private readonly records = new Map<string, IngestionRecord>();
  /** The changes applied by `transition`, in order. */
  readonly transitions: Array<{ ingestionId: string; changes: Partial<IngestionRecord> }> = [];
  private down: Error | undefined;

  constructor(private readonly clock = new FakeClock()) {}

  /** Every later call fails with `error` until {@link heal}. */
  fail(error: Error): void {
    this.down = error;
  }

  heal(): void {
    this.down = undefined;
  }

  /** A record as it is stored now (for assertions). */
  stored(ingestionId: string): IngestionRecord | undefined {
    return [...this.records.values()].find((record) => record.ingestionId === ingestionId);
  }

  /** Puts a record as it is, as an earlier invocation left it. */
  seed(record: IngestionRecord): void {
    this.records.set(`${record.tenant}/${record.ingestionId}`, record);
  }

  all(): IngestionRecord[] {
    return [...this.records.values()];
  }

  create(record: IngestionRecord): Promise<{ created: boolean; record: IngestionRecord }> {
    if (this.down) return Promise.reject(this.down);
    const existing = this.records.get(`${record.tenant}/${record.ingestionId}`);
    if (existing) return Promise.resolve({ created: false, record: existing });
    this.seed(record);
    return Promise.resolve({ created: true, record });
  }

  transition(...[key, version, from, changes, phase]: Parameters<IngestionStore['transition']>): Promise<boolean> {
    if (this.down) return Promise.reject(this.down);
    const id = `${key.tenant}/${key.ingestionId}`;
    const current = this.records.get(id);
    if (!current || current.version !== version || !from.includes(current.status) || (phase !== undefined && current.phase !== phase))
      return Promise.resolve(false);
    this.records.set(id, { ...current, ...changes, updatedAt: this.clock.date() });
    this.transitions.push({ ingestionId: key.ingestionId, changes });
    return Promise.resolve(true);
  }

  update(key: IngestionKey, changes: Partial<Omit<IngestionRecord, 'status' | 'version'>>): Promise<void> {
    if (this.down) return Promise.reject(this.down);
    const id = `${key.tenant}/${key.ingestionId}`;
    const current = this.records.get(id);
    if (current) this.records.set(id, { ...current, ...changes, updatedAt: this.clock.date() });
    return Promise.resolve();
  }

  noteRefused(key: IngestionKey, version: string, reason: string): Promise<void> {
    if (this.down) return Promise.reject(this.down);
    const id = `${key.tenant}/${key.ingestionId}`;
    const current = this.records.get(id);
    if (current) this.records.set(id, { ...current, refused: { ...current.refused, [version]: reason } });
    return Promise.resolve();
  }

  get(tenant: string, ingestionId: string): Promise<IngestionRecord | undefined> {
    if (this.down) return Promise.reject(this.down);
    return Promise.resolve(this.records.get(`${tenant}/${ingestionId}`));
  }

  list(tenant: string, filter: IngestionFilter = {}): Promise<IngestionRecord[]> {
    if (this.down) return Promise.reject(this.down);
    return Promise.resolve(
      [...this.records.values()]
        .filter(
          (record) => record.tenant === tenant && (!filter.batchId || record.batchId === filter.batchId) && (!filter.status || record.status === filter.status),
        )
        .slice(0, filter.limit ?? 1000),
    );
  }
}
