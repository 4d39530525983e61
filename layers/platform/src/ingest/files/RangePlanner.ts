import { platformLogger } from '../../logging/platformLogger';
import { ChunkBoundaries } from './ChunkBoundaries';
import type { CutProgress } from './ChunkCutter';
import type { ChunkStore } from './ChunkStore';
import { describeRange, rangeBytes, type ChunkTask, type PlanRange, type UploadRef } from './ChunkTask';
import type { ChunkTaskQueue } from './ChunkTaskQueue';
import type { PlanRangeStore, ScannedRange } from './PlanRangeStore';
import { RangeScan, type RangedFormat } from './RangeScan';
import { checkSeams, RangeTextGuard } from './RangeTextGuard';
import { fanOutChunks } from './fanOutChunks';
import { stitchRanges } from './stitchRanges';
import type { UploadText } from './UploadText';

export interface RangePlannerDependencies {
  readonly text: UploadText;
  readonly ranges: PlanRangeStore;
  readonly chunks: ChunkStore;
  readonly tasks: ChunkTaskQueue;
  readonly chunkSize: number;
  /** Chunks in a range: a file of at least two ranges is planned in ranges. */
  readonly rangeChunks: number;
}

/**
 * Plans a large CSV or NDJSON file in byte ranges, several invocations at
 * once, instead of in one scan of the whole file (see {@link ChunkCutter}):
 * the file task sends a `range` task per range; each reads its range alone
 * (a ranged read of the object), checks it is text, scans it
 * ({@link RangeScan}) and saves what it found ({@link PlanRangeStore}); the
 * task that finds every range saved puts the chunks together
 * ({@link stitchRanges}: exactly those one scan would cut), checkpoints them
 * and sends their `validate` tasks. A task delivered twice saves the same scan
 * again; two that stitch at once cut the same chunks (checkpoints are upserts,
 * a `validate` task sent twice finds its checkpoint), and only one moves the
 * record on (see `ChunkedIngestion`).
 *
 * A compressed file can only be read from its start, and a JSON array's
 * elements cannot be told apart from the middle of the file (a string may hold
 * anything), so both are cut in one scan, as is a file of under two ranges.
 *
 * @example
 * if (planner.takes(upload)) await planner.start(upload);
 * const progress = await planner.scan(task.upload, task.range);
 */
export class RangePlanner {
  constructor(private readonly deps: RangePlannerDependencies) {}

  private get rangeBytes(): number {
    return this.deps.chunkSize * this.deps.rangeChunks;
  }

  /** Whether the file is planned in ranges: an uncompressed CSV or NDJSON file of at least two whole ranges. */
  takes(upload: UploadRef): boolean {
    return !upload.compression && rangedFormat(upload) !== undefined && upload.size >= 2 * this.rangeBytes;
  }

  /** Sends the file's `range` tasks. */
  async start(upload: UploadRef): Promise<void> {
    const count = Math.ceil(upload.size / this.rangeBytes);
    const ranges = Array.from({ length: count }, (_, index): PlanRange => ({ index, count, bytes: this.rangeBytes, chunkSize: this.deps.chunkSize }));
    await this.deps.tasks.send(ranges.map((range): ChunkTask => ({ kind: 'range', upload, range })));
    platformLogger.info('file planned in ranges', { ingestion: upload.ingestionId, ranges: count, rangeBytes: this.rangeBytes });
  }

  /** Scans one range and saves it; the task that finds every range saved cuts the file into its chunks. */
  async scan(upload: UploadRef, range: PlanRange): Promise<CutProgress> {
    const version = { tenant: upload.tenant, ingestionId: upload.ingestionId, version: upload.version };
    await this.deps.ranges.save(version, range, await this.scanned(upload, range));
    const saved = await this.deps.ranges.list(version, range);
    const ranges = Array.from({ length: range.count }, (_, index) => saved.get(index));
    if (!ranges.every((scanned) => scanned !== undefined)) return { done: false, total: undefined, textBytes: undefined };
    return this.stitch(upload, range, ranges);
  }

  private async scanned(upload: UploadRef, range: PlanRange): Promise<ScannedRange> {
    const { start, end } = rangeBytes(range, upload.size);
    const scan = new RangeScan(formatOf(upload), range.chunkSize, start, end);
    const guard = new RangeTextGuard(start);
    const body = await this.deps.text.openInChunk(upload, start, start, end);
    try {
      for await (const buffer of body as AsyncIterable<Buffer>) {
        guard.check(buffer);
        scan.feed(buffer);
      }
    } finally {
      body.destroy();
    }
    const scanned = { scan: scan.finish(), seam: guard.end(end === upload.size) };
    platformLogger.debug('range scanned', { ingestion: upload.ingestionId, range: describeRange(range, upload.size) });
    return scanned;
  }

  /** Every range is scanned: the chunks they make are checkpointed and their `validate` tasks sent. */
  private async stitch(upload: UploadRef, range: PlanRange, ranges: readonly ScannedRange[]): Promise<CutProgress> {
    checkSeams(ranges.map(({ scan, seam }) => ({ start: scan.start, seam })));
    const stitched = stitchRanges(
      formatOf(upload),
      upload.size,
      ranges.map(({ scan }) => scan),
    );
    if (stitched.kind === 'sequential') {
      // Rare (a header of more than a range): the file is cut in one scan from its start, as a smaller file is.
      platformLogger.info('file cut in one scan instead of in ranges', { ingestion: upload.ingestionId, why: stitched.why });
      const state = new ChunkBoundaries(formatOf(upload), range.chunkSize).state();
      await this.deps.tasks.send([{ kind: 'plan', upload, state }]);
      return { done: false, total: undefined, textBytes: undefined };
    }
    await fanOutChunks(this.deps.chunks, this.deps.tasks, upload, stitched.chunks, stitched.header);
    return { done: true, total: stitched.chunks.length, textBytes: undefined };
  }
}

function rangedFormat(upload: UploadRef): RangedFormat | undefined {
  return upload.format === 'csv' || upload.format === 'ndjson' ? upload.format : undefined;
}

/** The format of a file planned in ranges (a `range` task names no other). */
function formatOf(upload: UploadRef): RangedFormat {
  const format = rangedFormat(upload);
  if (!format) throw new RangeError(`a ${upload.format} file is not planned in ranges`);
  return format;
}
