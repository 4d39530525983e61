import type { ChunkSpan, CsvHeader } from './ChunkBoundaries';
import type { ChunkStore } from './ChunkStore';
import type { ChunkTask, UploadRef } from './ChunkTask';
import type { ChunkTaskQueue } from './ChunkTaskQueue';

/** Chunks checkpointed and sent together, at most. */
export const FAN_OUT_CHUNKS = 50;

/**
 * Fans chunks out, however they were found (a scan, ranges stitched, a
 * Parquet footer): each gets its checkpoint row (status `planned`) and then
 * its `validate` task, a few dozen at a time. A CSV chunk after the first
 * carries the file's header. Checkpoints are upserts and a `validate` task
 * sent twice finds its checkpoint, so fanning the same chunks out again
 * changes nothing.
 *
 * @example
 * await fanOutChunks(chunks, tasks, upload, spans, scan.csvHeader);
 */
export async function fanOutChunks(
  chunks: ChunkStore,
  tasks: ChunkTaskQueue,
  upload: UploadRef,
  spans: readonly ChunkSpan[],
  header: CsvHeader | undefined,
): Promise<void> {
  const version = { tenant: upload.tenant, ingestionId: upload.ingestionId, version: upload.version };
  for (let at = 0; at < spans.length; at += FAN_OUT_CHUNKS) {
    const batch = spans.slice(at, at + FAN_OUT_CHUNKS);
    await chunks.cut(version, batch);
    await tasks.send(batch.map((chunk): ChunkTask => ({ kind: 'validate', upload, chunk, header: chunk.start > 0 ? header : undefined })));
  }
}
