import { isUtf8 } from 'node:buffer';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { MalformedFileError } from './MalformedFileError';

/** Well-known signatures of binary files, to say what a refused file looks like. */
const SIGNATURES: ReadonlyArray<readonly [string, readonly number[], string?]> = [
  ['a gzip archive', [0x1f, 0x8b], 'a gzip-compressed text file is taken when it is named .csv.gz, .ndjson.gz or .json.gz'],
  ['a Zstandard archive', [0x28, 0xb5, 0x2f, 0xfd], 'a zstd-compressed text file is taken when it is named .csv.zst, .ndjson.zst or .json.zst'],
  ['a zip archive (or an Excel/OpenDocument file)', [0x50, 0x4b, 0x03, 0x04]],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['UTF-16 text', [0xff, 0xfe]],
  ['UTF-16 text', [0xfe, 0xff]],
  ['a Parquet file', [0x50, 0x41, 0x52, 0x31], 'a Parquet file is taken when it is named .parquet'],
];

/** Bytes a UTF-8 sequence starting with `lead` has, or 0 for a byte that cannot start one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where the bytes of an incomplete UTF-8 sequence at the end of `buffer` begin (buffer.length when there is none). */
function incompleteTail(buffer: Buffer): number {
  for (let back = 1; back <= Math.min(3, buffer.length); back += 1) {
    const byte = buffer[buffer.length - back] as number;
    if ((byte & 0xc0) !== 0x80) {
      const length = sequenceLength(byte);
      return length > back ? buffer.length - back : buffer.length;
    }
  }
  return buffer.length;
}

/** The offset of the first byte that is not valid UTF-8 in `buffer` (only called once it is known there is one). */
function firstInvalid(buffer: Buffer): number {
  for (let at = 0; at < buffer.length;) {
    const length = sequenceLength(buffer[at] as number);
    if (length === 0 || at + length > buffer.length || !isUtf8(buffer.subarray(at, at + length))) return at;
    at += length;
  }
  return buffer.length;
}

/**
 * Checks that a file is text in UTF-8, as every format the platform reads is,
 * as its bytes go by: a NUL byte or a byte sequence that is not UTF-8 (a
 * gzip, zip or image renamed `.csv`, a UTF-16 export) refuses the whole file
 * at once with a {@link MalformedFileError} saying where and what it looks
 * like, instead of ingesting garbage. Sequences split between two buffers are
 * carried over. Uses Node's SIMD UTF-8 validation, so it costs little.
 *
 * @example
 * const guard = new TextGuard();
 * for await (const buffer of stream) guard.check(buffer);
 * guard.end();
 */
export class TextGuard {
  private offset: number;
  private carry: Buffer = Buffer.alloc(0);

  /** `offset`: where in the file the first checked byte is (a chunk starts on an ASCII byte). */
  constructor(offset = 0) {
    this.offset = offset;
  }

  check(buffer: Buffer): void {
    if (this.offset === 0 && this.carry.length === 0) this.sniff(buffer);
    const bytes = this.carry.length ? Buffer.concat([this.carry, buffer]) : buffer;
    const start = this.offset - this.carry.length;
    const nul = bytes.indexOf(0);
    const cut = incompleteTail(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) this.refuse(start + firstInvalid(whole), whole[firstInvalid(whole)] as number);
    if (nul >= 0) this.refuse(start + nul, 0);
    this.carry = Buffer.from(bytes.subarray(cut));
    this.offset += buffer.length;
  }

  /** At the end of the bytes: a sequence still incomplete is not UTF-8. */
  end(): void {
    if (this.carry.length) this.refuse(this.offset - this.carry.length, this.carry[0] as number);
  }

  /** At the end of a range of the bytes that the text goes on after: a sequence still incomplete, which the next range completes (see `RangeTextGuard`). */
  openTail(): Buffer {
    return this.carry;
  }

  private sniff(buffer: Buffer): void {
    for (const [what, signature, named] of SIGNATURES) {
      if (buffer.length >= signature.length && signature.every((byte, index) => buffer[index] === byte)) {
        const hint = named ? `; ${named} and its tenant's profile allows that format` : '';
        throw new MalformedFileError(`the file is not text: it looks like ${what}; upload the data itself as UTF-8 text (CSV, JSON or NDJSON)${hint}`);
      }
    }
  }

  private refuse(offset: number, byte: number): never {
    const what = byte === 0 ? 'a NUL byte' : `0x${byte.toString(16).padStart(2, '0')}, which is not UTF-8`;
    throw new MalformedFileError(
      `the file is not UTF-8 text: byte ${offset} is ${what}; binary files are refused: upload the data as UTF-8 text (CSV, JSON or NDJSON)`,
    );
  }
}

/** A stream's bytes passed through a {@link TextGuard}: the stream fails with the guard's error at the first byte that is not text. */
export function guardText(stream: Readable, offset = 0): Readable {
  const guard = new TextGuard(offset);
  const checked = new Transform({
    transform(buffer: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      try {
        guard.check(buffer);
        done(null, buffer);
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done: TransformCallback) {
      try {
        guard.end();
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
  stream.on('error', (error) => checked.destroy(error));
  return stream.pipe(checked);
}
