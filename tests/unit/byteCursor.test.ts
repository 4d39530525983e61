import { ByteCursor } from '../../layers/platform/src/ingest/files/ByteCursor';

function naive(buffer: Buffer, byte: number, from: number, to: number, following?: number): number {
  let count = 0;
  for (let at = from; at < to; at += 1) {
    if (buffer[at] !== byte) continue;
    if (following === undefined || (at + 1 < to && buffer[at + 1] === following)) count += 1;
  }
  return count;
}

describe('a byte cursor', () => {
  it('counts a byte, and the pairs it starts, in stretches asked for in order or not', () => {
    const buffer = Buffer.from('a\r\nb\r\r\n"c\n\r"\r\n\n\rd\r');
    const stretches: Array<[number, number]> = [];
    for (let from = 0; from <= buffer.length; from += 1) for (let to = from; to <= buffer.length; to += 1) stretches.push([from, to]);
    // In order (as a scan asks), then backwards (each stretch asked for before the one it follows).
    for (const order of [stretches, [...stretches].reverse()]) {
      const cursor = new ByteCursor(buffer, 13);
      for (const [from, to] of order) {
        expect([from, to, cursor.count(from, to)]).toEqual([from, to, naive(buffer, 13, from, to)]);
        expect([from, to, cursor.countFollowedBy(10, from, to)]).toEqual([from, to, naive(buffer, 13, from, to, 10)]);
      }
    }
  });
});
