import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { backoff } from '../failures/backoff';

/** Opens bytes `[start, end)` of one object version: one ranged GET. */
export type OpenRange = (start: number, end: number) => Promise<AsyncIterable<Uint8Array>>;

/** How often a cut-off read is taken up again, in a row without a byte read in between, before it fails. */
export const RANGE_RESUMES = 5;

/**
 * Bytes `[start, end)` of an object version, read as they are consumed, that
 * survive the read being cut off: a response stream that fails or ends short
 * (a connection reset, a server that gave up on a slow reader while the
 * writer waited on Cassandra) is taken up again with a ranged GET from the
 * first byte not yet read. The version never changes, so the bytes are the
 * same. An error opening a range (the version gone, access denied) is thrown
 * as it is; so is the last failure after {@link RANGE_RESUMES} resumes in a row
 * without progress.
 *
 * @example
 * const body = resumableRange((from, to) => getRange(key, versionId, from, to), 0, size);
 */
export function resumableRange(open: OpenRange, start: number, end: number, resumes = RANGE_RESUMES): Readable {
  return Readable.from(rangeBytes(open, start, end, resumes), { objectMode: false });
}

async function* rangeBytes(open: OpenRange, start: number, end: number, resumes: number): AsyncGenerator<Buffer> {
  let offset = start;
  let failures = 0;
  while (offset < end) {
    const body = await open(offset, end);
    const before = offset;
    let failure: Error | undefined;
    try {
      for await (const piece of body) {
        const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
        // Never more than the range holds, whatever the server sends.
        const wanted = bytes.subarray(0, end - offset);
        offset += wanted.length;
        if (wanted.length) yield wanted;
        if (offset >= end) break;
      }
      if (offset < end) failure = new Error(`the read of bytes ${before}-${end - 1} ended at byte ${offset}`);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(`the read of bytes ${before}-${end - 1} failed at byte ${offset}`, { cause: error });
    }
    if (failure === undefined) return;
    failures = offset > before ? 1 : failures + 1;
    if (failures > resumes) throw failure;
    await sleep(backoff({ attempt: failures - 1, base: 100, max: 2000 }));
  }
}
