import type cassandra from 'cassandra-driver';
import { CassandraStore } from '../../cassandra/CassandraStore';
import type { IngestedVersion } from './ChunkStore';
import type { PlanRange } from './ChunkTask';
import type { RangeResult } from './RangeScan';
import type { RangeSeam } from './RangeTextGuard';

/** What one range of a file holds: its scan, and the bytes of the characters split at its edges. */
export interface ScannedRange {
  readonly scan: RangeResult;
  readonly seam: RangeSeam;
}

/**
 * The scans of the ranges of files planned in ranges (see `RangePlanner`), one
 * row per range in the partition of the ingestion's chunks, under the range
 * size and chunk size they were scanned with. A range scanned twice writes
 * the same row (its scan depends on the file alone), so saving is an upsert.
 *
 * @example
 * await ranges.save(version, task.range, { scan, seam });
 * const scanned = await ranges.list(version, task.range);
 */
export class PlanRangeStore extends CassandraStore {
  constructor(client: cassandra.Client, keyspace: string) {
    super(client, keyspace, 'ingestion_plan_ranges');
  }

  async save(version: IngestedVersion, range: PlanRange, scanned: ScannedRange): Promise<void> {
    await this.client.execute(
      `UPDATE ${this.table} SET result = ? WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk_size = ? AND range_bytes = ? AND range = ?`,
      [JSON.stringify(scanned), version.tenant, version.ingestionId, version.version, BigInt(range.chunkSize), BigInt(range.bytes), range.index],
      this.prepared,
    );
  }

  /** The ranges of the file scanned so far with `range`'s sizes, by index. */
  async list(version: IngestedVersion, range: PlanRange): Promise<Map<number, ScannedRange>> {
    const result = await this.client.execute(
      `SELECT range, result FROM ${this.table} WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk_size = ? AND range_bytes = ?`,
      [version.tenant, version.ingestionId, version.version, BigInt(range.chunkSize), BigInt(range.bytes)],
      { ...this.prepared, fetchSize: 10_000 },
    );
    const scanned = new Map<number, ScannedRange>();
    for await (const row of result as unknown as AsyncIterable<cassandra.types.Row>) {
      scanned.set(row.get('range') as number, JSON.parse(row.get('result') as string) as ScannedRange);
    }
    return scanned;
  }
}
