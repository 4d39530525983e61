import { ChunkBoundaries } from '../../layers/platform/src/ingest/files/ChunkBoundaries';
import { CHUNK, generate } from '../helpers/straddlingFiles';

describe('the end-to-end tests’ straddling files', () => {
  for (const format of ['csv', 'ndjson', 'json'] as const) {
    it(`say how many chunks the cutter cuts a ${format} file into`, () => {
      const file = generate(9000, format);
      const scan = new ChunkBoundaries(format, CHUNK);
      const text = Buffer.from(file.text);
      const chunks = scan.feed(text).length + (scan.finish(text.length) ? 1 : 0);
      expect(chunks).toBe(file.chunks);
      expect(file.straddling).toBeGreaterThanOrEqual(3);
    });
  }
});
