import type cassandra from 'cassandra-driver';
import type { Clock } from '../../Clock';
import type { TenantRateLimiter } from '../../rates/TenantRateLimiter';
import type { IngestBucket } from '../../storage/IngestBucket';
import type { TenantRegistry } from '../../tenants/TenantRegistry';
import type { Topology } from '../../topology/Topology';
import type { DailyUsageStore } from '../../uploads/DailyUsageStore';
import type { UploadBatchStore } from '../../uploads/UploadBatchStore';
import type { UploadGrantStore } from '../../uploads/UploadGrantStore';
import type { BatchIngestApp } from '../apps/BatchIngestApp';
import type { ChunkStore } from './ChunkStore';
import type { ChunkTaskQueue } from './ChunkTaskQueue';
import type { IngestionRecord, IngestionStore } from './IngestionStore';
import type { PlanRangeStore } from './PlanRangeStore';
import type { StreamTables } from './StreamTables';

/** What batch ingestion works with, the hand-over of uploads ({@link BatchIngestPipeline}) and the tasks ({@link FileTasks}) alike. */
export interface BatchIngestDependencies {
  readonly bucket: IngestBucket;
  readonly registry: TenantRegistry;
  readonly batches: UploadBatchStore;
  readonly grants: UploadGrantStore;
  readonly usage: DailyUsageStore;
  readonly ingestions: IngestionStore;
  readonly chunks: ChunkStore;
  /** The scans of the byte ranges of files planned in ranges. */
  readonly planRanges: PlanRangeStore;
  readonly tasks: ChunkTaskQueue;
  readonly cassandra: cassandra.Client;
  readonly topology: Topology;
  readonly loadApp: (tenant: string) => Promise<BatchIngestApp>;
  /** The tenant's stream tables, which no batch file may take. */
  readonly streamTables: StreamTables;
  readonly writeConcurrency: number;
  /** Files above this size are ingested in chunks of about this size. */
  readonly chunkSize: number;
  /** Chunks in a range of a file planned in ranges, several invocations at once (CSV and NDJSON files of two ranges or more). */
  readonly planRangeChunks: number;
  /** The batch functions' timeout: budgets and leases are cut from it. */
  readonly timeoutSeconds: number;
  /** The time every decision of the batch path reads (claims, leases, budgets, what records say). */
  readonly clock: Clock;
  /** The tenants' rate limits (`limits.rowsPerSecond`), shared by every invocation; none: unlimited. */
  readonly rates?: TenantRateLimiter | undefined;
  /** Called once per ingestion that ends (ingested, rejected, validated). */
  readonly onFinished?: ((record: IngestionRecord) => Promise<void>) | undefined;
}
