import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { IngestBucket } from '../../storage/IngestBucket';
import { decompressed } from '../records/decompressed';
import type { ChunkSpan } from './ChunkBoundaries';
import type { UploadRef } from './ChunkTask';
import { versionStagingPrefix } from './staging';

/** Drops the first `count` bytes of a stream. */
async function* skipping(stream: Readable, count: number): AsyncGenerator<Buffer> {
  let left = count;
  try {
    for await (const piece of stream as AsyncIterable<Buffer>) {
      if (left >= piece.length) {
        left -= piece.length;
        continue;
      }
      yield left > 0 ? piece.subarray(left) : piece;
      left = 0;
    }
  } finally {
    stream.destroy();
  }
}

/**
 * The text of an upload, as the readers of its records see it: the object's
 * own bytes, or, for a compressed file (`.gz`, `.zst`), its bytes
 * decompressed. Offsets are offsets into the text.
 *
 * A compressed stream can only be read from its start, so it cannot be cut
 * by byte range. The cutter, which reads the whole text once anyway, stages
 * each chunk's text as an object of its own under the ingestion's staging
 * prefix (`staging/<tenant>/<ingestion>/<version>/<chunk start>`, see
 * `stagingPrefix`), and the chunk's tasks read that object: each chunk is still
 * a bounded invocation, and a chunk read twice reads the same bytes.
 *
 * @example
 * const text = await uploadText.openFrom(upload, 0);
 */
export class UploadText {
  constructor(private readonly bucket: IngestBucket) {}

  /**
   * The text from byte `from` to its end. A compressed object is decompressed
   * from its start (within the upload's `maxTextBytes`) and the text before
   * `from` dropped.
   */
  async openFrom(upload: UploadRef, from: number): Promise<Readable> {
    if (!upload.compression) return this.bucket.openRange(upload.key, upload.versionId, from, upload.size);
    const object = await this.bucket.openRange(upload.key, upload.versionId, 0, upload.size);
    const text = decompressed(object, upload.compression, { maxBytes: upload.maxTextBytes ?? Number.POSITIVE_INFINITY });
    return from > 0 ? Readable.from(skipping(text, from)) : text;
  }

  /** Text `[start, end)` inside the chunk that starts at `chunkStart`: a range of the object, or of the chunk's staged text. */
  async openInChunk(upload: UploadRef, chunkStart: number, start: number, end: number): Promise<Readable> {
    if (!upload.compression) return this.bucket.openRange(upload.key, upload.versionId, start, end);
    return this.bucket.openRange(this.stagedKey(upload, chunkStart), undefined, start - chunkStart, end - chunkStart);
  }

  /** Keeps a chunk's text of a compressed file for its tasks (written again, the same bytes, when a cut is redone). */
  async stage(upload: UploadRef, chunk: ChunkSpan, text: Buffer): Promise<void> {
    await this.bucket.putBytes(this.stagedKey(upload, chunk.start), text, 'application/octet-stream');
  }

  private stagedKey(upload: UploadRef, chunkStart: number): string {
    return `${versionStagingPrefix(upload)}${chunkStart}`;
  }
}

/**
 * The text a cutter has read and not yet staged, from the start of the chunk
 * being cut: at most a chunk and one read's worth.
 */
export class UnstagedText {
  private pieces: Buffer[] = [];
  constructor(private start: number) {}

  add(piece: Buffer): void {
    this.pieces.push(piece);
  }

  /** The text of the chunk that starts where the held text starts; the rest is held on. */
  take(chunk: ChunkSpan): Buffer {
    if (chunk.start !== this.start) throw new RangeError(`holding text from byte ${this.start}, asked for a chunk from byte ${chunk.start}`);
    const held = Buffer.concat(this.pieces);
    const length = chunk.end - chunk.start;
    this.pieces = held.length > length ? [held.subarray(length)] : [];
    this.start = chunk.end;
    return held.subarray(0, length);
  }
}

/** A compressed file taken whole turned out to unpack to more than one chunk of text: it goes on in chunks. */
export class TextOverChunkError extends Error {
  override readonly name = 'TextOverChunkError';
  constructor(readonly chunkSize: number) {
    super(`the text is over ${chunkSize} bytes, the most one invocation takes whole`);
  }
}

/** A text stream that counts its bytes into `counted.bytes`, and fails with {@link TextOverChunkError} past `maxBytes`. */
export function countedText(stream: Readable, maxBytes: number): { readonly text: Readable; readonly counted: { bytes: number } } {
  const counted = { bytes: 0 };
  const text = new Transform({
    transform(piece: Buffer, _encoding, done: TransformCallback) {
      counted.bytes += piece.length;
      done(counted.bytes > maxBytes ? new TextOverChunkError(maxBytes) : null, piece);
    },
  });
  stream.on('error', (error) => text.destroy(error));
  text.on('close', () => stream.destroy());
  return { text: stream.pipe(text), counted };
}
