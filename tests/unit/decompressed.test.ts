import { Readable } from 'node:stream';
import { FileRejectedError } from '../../layers/platform/src/ingest/files/FileRejectedError';
import { decompressed } from '../../layers/platform/src/ingest/records/decompressed';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { ensureZstd, gzip, zstd } from '../helpers/compressors';

async function text(stream: Readable): Promise<string> {
  const pieces: Buffer[] = [];
  for await (const piece of stream) pieces.push(piece as Buffer);
  return Buffer.concat(pieces).toString();
}

/** Bytes as a storage read gives them: in pieces. */
function pieces(bytes: Buffer, size = 100): Readable {
  return Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, index) => bytes.subarray(index * size, (index + 1) * size)));
}

beforeAll(ensureZstd);

describe('decompressing a file as it is read', () => {
  const original = `id,value\n${Array.from({ length: 5000 }, (_, index) => `r${index},${index * 7}`).join('\n')}\n`;

  it.each([
    ['gzip', gzip],
    ['zstd', zstd],
  ] as const)('gives back the %s text whole, in pieces, and several members or frames one after the other', async (compression, compress) => {
    expect(await text(decompressed(pieces(compress(original)), compression, { maxBytes: 10 * 1024 * 1024 }))).toBe(original);
    const twice = Buffer.concat([compress('a,1\n'), compress('b,2\n')]);
    expect(await text(decompressed(pieces(twice, 7), compression, { maxBytes: 1024 }))).toBe('a,1\nb,2\n');
  });

  it('refuses a bomb as it grows, long before it is all out', async () => {
    const bomb = zstd(Buffer.alloc(64 * 1024 * 1024, 'a'), 19);
    expect(bomb.length).toBeLessThan(8 * 1024);
    let out = 0;
    const stream = decompressed(pieces(bomb, 1024), 'zstd', { maxBytes: 1024 ** 3 });
    stream.on('data', (piece: Buffer) => (out += piece.length));
    await expect(text(stream)).rejects.toThrow(FileRejectedError);
    expect(out).toBeLessThan(2 * 1024 * 1024);
  });

  it("passes a failure of the storage read on as it is, to be retried, never as the file's fault", async () => {
    const body = gzip(original);
    const cut = new Readable({ read() {} });
    cut.push(body.subarray(0, 200));
    setImmediate(() => cut.destroy(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })));
    const read = text(decompressed(cut, 'gzip', { maxBytes: 1024 ** 2 }));
    await expect(read).rejects.toThrow('socket hang up');
    await expect(read).rejects.not.toBeInstanceOf(MalformedFileError);
  });
});
