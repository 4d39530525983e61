import { Readable } from 'node:stream';
import { resumableRange } from '../../layers/platform/src/storage/resumableRange';

const OBJECT = Buffer.from(Array.from({ length: 10_000 }, (_, n) => n % 251));

/** An object store whose reads are cut off: `cuts[n]` bytes into the n-th read, by an error or by an early end. */
function flakyStore(cuts: number[], how: 'error' | 'end') {
  const ranges: Array<[number, number]> = [];
  const open = (start: number, end: number): Promise<Readable> => {
    ranges.push([start, end]);
    const bytes = OBJECT.subarray(start, end);
    const cut = cuts[ranges.length - 1];
    if (cut === undefined) return Promise.resolve(Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    return Promise.resolve(
      Readable.from(
        (function* () {
          if (cut > 0) yield bytes.subarray(0, cut);
          if (how === 'error') throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
        })(),
      ),
    );
  };
  return { open, ranges };
}

async function read(stream: Readable): Promise<Buffer> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces);
}

describe('a ranged read that is cut off', () => {
  it.each(['error', 'end'] as const)('is taken up again from the first byte not read (cut by an %s), and gives every byte once', async (how) => {
    const store = flakyStore([700, 0, 1500], how);
    expect((await read(resumableRange(store.open, 100, 9000, 5))).equals(OBJECT.subarray(100, 9000))).toBe(true);
    expect(store.ranges).toEqual([
      [100, 9000],
      [800, 9000],
      [800, 9000],
      [2300, 9000],
    ]);
  });

  it('gives up after as many resumes in a row without a byte read as it may, with the last failure', async () => {
    const store = flakyStore([10, 0, 0, 0], 'error');
    await expect(read(resumableRange(store.open, 0, 5000, 2))).rejects.toMatchObject({ message: 'aborted', code: 'ECONNRESET' });
    // The first read, then two resumes.
    expect(store.ranges).toHaveLength(3);
  });

  it('throws an error opening the range as it is (the version gone)', async () => {
    const gone = Object.assign(new Error('The specified version does not exist.'), { name: 'NoSuchVersion' });
    const open = () => Promise.reject(gone);
    await expect(read(resumableRange(open, 0, 10, 5))).rejects.toBe(gone);
  });

  it('reads nothing of an empty range and never more than the range', async () => {
    const store = flakyStore([], 'error');
    expect(await read(resumableRange(store.open, 5, 5))).toHaveLength(0);
    const wide = () => Promise.resolve(Readable.from([OBJECT]));
    expect((await read(resumableRange(wide, 0, 10))).equals(OBJECT.subarray(0, 10))).toBe(true);
  });
});
