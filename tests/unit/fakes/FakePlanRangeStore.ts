import type { IngestedVersion } from '../../../layers/platform/src/ingest/files/ChunkStore';
import type { PlanRange } from '../../../layers/platform/src/ingest/files/ChunkTask';
import type { PlanRangeStore, ScannedRange } from '../../../layers/platform/src/ingest/files/PlanRangeStore';
import type { Public } from './Public';

/** The scans of files' ranges in memory, stored as JSON as the table stores them; counts how many times each range was saved. */
export class FakePlanRangeStore implements Public<PlanRangeStore> {
  private readonly rows = new Map<string, string>();
  /** Saves per range ("version/range" -> count). */
  readonly savedCount = new Map<string, number>();

  private prefix(version: IngestedVersion, range: PlanRange): string {
    return `${version.tenant}/${version.ingestionId}/${version.version}/${range.chunkSize}/${range.bytes}/`;
  }

  save(version: IngestedVersion, range: PlanRange, scanned: ScannedRange): Promise<void> {
    const id = `${this.prefix(version, range)}${range.index}`;
    this.rows.set(id, JSON.stringify(scanned));
    this.savedCount.set(id, (this.savedCount.get(id) ?? 0) + 1);
    return Promise.resolve();
  }

  list(version: IngestedVersion, range: PlanRange): Promise<Map<number, ScannedRange>> {
    const prefix = this.prefix(version, range);
    const scanned = new Map<number, ScannedRange>();
    for (const [id, json] of this.rows) {
      if (id.startsWith(prefix)) scanned.set(Number(id.slice(prefix.length)), JSON.parse(json) as ScannedRange);
    }
    return Promise.resolve(scanned);
  }
}
