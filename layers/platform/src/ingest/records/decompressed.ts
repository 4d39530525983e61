import { Decompress } from 'fzstd';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Compression } from '../../tenants/FileFormat';
import { formatByteSize } from '../../units/byteSize';
import { FileRejectedError } from '../files/FileRejectedError';
import { MalformedFileError } from './MalformedFileError';

/**
 * The most a compressed file's text may outgrow the bytes read so far. Text
 * that people ingest (CSV, JSON) compresses 3 to 20 times; a file that grows
 * past this is a decompression bomb, refused as it grows, before it fills the
 * invocation's memory or time.
 */
export const MAX_COMPRESSION_RATIO = 100;
/** Text that may come out before the ratio is checked: the first blocks of a stream come out of few bytes. */
const RATIO_GRACE_BYTES = 16 * 1024;

export interface DecompressionLimits {
  /** The most bytes the text may have (the profile's `maxUncompressedSize`). */
  readonly maxBytes: number;
}

/** The decoder of one compression, as a stream transform that fails on a corrupt or truncated stream. */
function decoder(compression: Compression): Transform {
  if (compression === 'gzip') return createGunzip();
  const out: Transform = new Transform({
    transform(piece: Buffer, _encoding, done: TransformCallback) {
      try {
        zstd.push(piece);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        zstd.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  // fzstd hands out each block in an array of its own (never a view of its window), so it is passed on without a copy.
  const zstd = new Decompress((data) => out.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
  return out;
}

/**
 * The text of a compressed file, decompressed as it is read, in bounded
 * memory. It is refused as soon as it passes `limits.maxBytes` or grows past
 * {@link MAX_COMPRESSION_RATIO} times the compressed bytes read so far
 * ({@link FileRejectedError}), and a corrupt or truncated stream is refused
 * at once with the byte of the compressed file where it broke
 * ({@link MalformedFileError}). A failure of the source itself (a storage read
 * cut off) is passed on as it is, to be retried.
 *
 * @example
 * for await (const text of decompressed(await bucket.openRange(key, versionId, 0, size), 'gzip', { maxBytes: 2 ** 30 })) ...
 */
export function decompressed(source: Readable, compression: Compression, limits: DecompressionLimits): Readable {
  let read = 0;
  let written = 0;
  let sourceError: Error | undefined;
  const decode = decoder(compression);
  const guard = new Transform({
    transform(text: Buffer, _encoding, done: TransformCallback) {
      written += text.length;
      if (written > limits.maxBytes) {
        done(
          new FileRejectedError(
            `the file unpacks to more than ${formatByteSize(limits.maxBytes)}, the most its text may have (maxUncompressedSize); refused after ${formatByteSize(read)} of ${compression} read`,
            'maxUncompressedSize',
          ),
        );
        return;
      }
      if (written > RATIO_GRACE_BYTES && written > read * MAX_COMPRESSION_RATIO) {
        done(
          new FileRejectedError(
            `the file unpacks to more than ${MAX_COMPRESSION_RATIO} times its compressed size (${formatByteSize(written)} out of ${formatByteSize(read)}): refused as a decompression bomb`,
            'maxCompressionRatio',
          ),
        );
        return;
      }
      done(null, text);
    },
  });
  source.on('data', (piece: Buffer) => {
    read += piece.length;
  });
  source.on('error', (error) => {
    sourceError = error;
    decode.destroy(error);
  });
  decode.on('error', (error) => {
    if (sourceError) guard.destroy(sourceError);
    else
      guard.destroy(
        new MalformedFileError(
          `the ${compression} stream is corrupt or truncated near byte ${read} of ${compression === 'gzip' ? 'the .gz' : 'the .zst'} file (${error.message})`,
          { cause: error },
        ),
      );
  });
  guard.on('close', () => {
    source.destroy();
    decode.destroy();
  });
  source.pipe(decode).pipe(guard);
  return guard;
}
