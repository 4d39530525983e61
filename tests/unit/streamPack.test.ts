import { decodePack, encodePacks, repack } from '../../layers/platform/src/stream/StreamPack';

const at = new Date('2026-11-27T10:00:00.000Z');

describe('packs of stream messages', () => {
  it('round-trips JSON and text messages, ids, publish times and attempts', () => {
    const packs = encodePacks([
      { messageId: 'm-1', publishedAt: at, attempts: 0, text: '{"id":"inner","t":21.5}' },
      { messageId: 'm-2', publishedAt: at, attempts: 2, text: 'not json, with "quotes"' },
    ]);
    expect(packs).toHaveLength(1);
    expect(packs[0]?.count).toBe(2);
    expect(decodePack(packs[0]?.body as string)).toEqual([
      { messageId: 'm-1', publishedAt: at, attempts: 0, body: { id: 'inner', t: 21.5 }, bytes: 23 },
      { messageId: 'm-2', publishedAt: at, attempts: 2, body: 'not json, with "quotes"', bytes: 23 },
    ]);
  });

  it('splits by size, keeping the order, each pack within the limit', () => {
    const messages = Array.from({ length: 100 }, (_, n) => ({
      messageId: `m-${n}`,
      publishedAt: at,
      attempts: 0,
      text: JSON.stringify({ n, pad: 'x'.repeat(900) }),
    }));
    const packs = encodePacks(messages, 10_000);
    expect(packs.length).toBeGreaterThan(9);
    for (const pack of packs) expect(Buffer.byteLength(pack.body)).toBeLessThanOrEqual(10_000);
    const decoded = packs.flatMap((pack) => decodePack(pack.body) ?? []);
    expect(decoded.map((message) => message.messageId)).toEqual(messages.map((message) => message.messageId));
    expect(packs.reduce((sum, pack) => sum + pack.count, 0)).toBe(100);
  });

  it('tells a pack from a single message, and repacks a failed one with its attempts', () => {
    expect(decodePack('{"temperature": 20}')).toBeUndefined();
    const [message] = decodePack(encodePacks([{ messageId: 'm', publishedAt: at, attempts: 0, text: '{"a":1}' }])[0]?.body as string) ?? [];
    expect(repack(message as never, 1)).toEqual({ messageId: 'm', publishedAt: at, attempts: 1, text: '{"a":1}' });
  });
});
