import type { Readable } from 'node:stream';
import type { Clock } from '../../Clock';
import { platformLogger } from '../../logging/platformLogger';
import { textFormat } from '../../tenants/FileFormat';
import { TextGuard } from '../records/TextGuard';
import { ChunkBoundaries, type BoundaryScanState, type ChunkSpan } from './ChunkBoundaries';
import type { ChunkStore } from './ChunkStore';
import type { UploadRef } from './ChunkTask';
import type { ChunkTaskQueue } from './ChunkTaskQueue';
import { fanOutChunks, FAN_OUT_CHUNKS } from './fanOutChunks';
import { UnstagedText, type UploadText } from './UploadText';
import { parquetChunks } from '../parquet/parquetChunks';

export interface CutProgress {
  /** The file is cut through to its end: `total` chunks. */
  readonly done: boolean;
  readonly total: number | undefined;
  /** The bytes of the file's text, once cut through (of a compressed file, decompressed). */
  readonly textBytes: number | undefined;
}

/**
 * Cuts a large upload into chunks and fans them out: one structural scan of
 * the object (see {@link ChunkBoundaries}), checking as it goes that the file
 * is text (see {@link TextGuard}); each chunk found gets its checkpoint row and
 * a `validate` task on the chunk queue at once, so chunks are validated while
 * the scan goes on. The scan has a time budget: past it, the cutter saves the
 * scan's state at the last chunk boundary in a `plan` task (the wire name of a cut task) and ends, and the
 * invocation that takes that task goes on from there. So cutting a file of
 * any size is a chain of bounded invocations (a large CSV or NDJSON file is
 * planned in ranges by several at once instead: see `RangePlanner`).
 *
 * @example
 * const progress = await cutter.cut(upload, undefined, clock.now() + 60_000);
 */
export class ChunkCutter {
  constructor(
    private readonly text: UploadText,
    private readonly chunks: ChunkStore,
    private readonly tasks: ChunkTaskQueue,
    private readonly chunkSize: number,
    /** The time the cutting budget's deadline is read by. */
    private readonly clock: Clock,
  ) {}

  async cut(upload: UploadRef, from: BoundaryScanState | undefined, deadline: number): Promise<CutProgress> {
    if (upload.format === 'parquet') return this.cutParquet(upload);
    const scan = new ChunkBoundaries(textFormat(upload.format), this.chunkSize, from);
    const start = from?.offset ?? 0;
    const guard = new TextGuard(start);
    let pending: ChunkSpan[] = [];
    let sent = 0;
    const flush = async (sending: UploadRef = upload): Promise<void> => {
      const spans = pending;
      pending = [];
      await fanOutChunks(this.chunks, this.tasks, sending, spans, scan.csvHeader);
      sent += spans.length;
    };

    // A compressed file's chunks are staged as they are found, before their tasks go out.
    const unstaged = upload.compression ? new UnstagedText(start) : undefined;
    let scanned = start;
    const body: Readable = await this.text.openFrom(upload, start);
    try {
      for await (const buffer of body as AsyncIterable<Buffer>) {
        guard.check(buffer);
        unstaged?.add(buffer);
        scanned += buffer.length;
        const found = scan.feed(buffer);
        if (unstaged) for (const chunk of found) await this.text.stage(upload, chunk, unstaged.take(chunk));
        pending.push(...found);
        if (pending.length >= FAN_OUT_CHUNKS) await flush();
        if (this.clock.now() > deadline && sent + pending.length > 0) {
          // Out of time: hand the rest of the file to another invocation, from the last boundary.
          await flush();
          const state = scan.state();
          await this.tasks.send([{ kind: 'plan', upload, state }]);
          platformLogger.info('cutting goes on in another invocation', { ingestion: upload.ingestionId, offset: state.offset, chunks: state.nextIndex });
          return { done: false, total: undefined, textBytes: undefined };
        }
      }
    } finally {
      body.destroy();
    }
    guard.end();
    const last = scan.finish(scanned);
    if (last && unstaged) await this.text.stage(upload, last, unstaged.take(last));
    if (last) pending.push(last);
    // The tasks of the last chunks know where a compressed file's text ends (a JSON array's last chunk holds its end).
    await flush(upload.compression ? { ...upload, textBytes: scanned } : upload);
    return { done: true, total: scan.chunkCount, textBytes: scanned };
  }

  /** A Parquet file is planned from its footer alone (see `parquetChunks`): one read, no scan, so never handed on. */
  private async cutParquet(upload: UploadRef): Promise<CutProgress> {
    const spans = await parquetChunks(this.text, upload, this.chunkSize);
    await fanOutChunks(this.chunks, this.tasks, upload, spans, undefined);
    return { done: true, total: spans.length, textBytes: undefined };
  }
}
