import { parquetMetadata } from 'hyparquet';
import { FileRejectedError } from '../../layers/platform/src/ingest/files/FileRejectedError';
import { decodedBytesOf, planParquetChunks, rowGroupsOf } from '../../layers/platform/src/ingest/parquet/parquetChunks';
import { everyTypeWithHyparquet } from '../helpers/parquet/everyTypeTable';

describe('a Parquet file planned into chunks from its footer', () => {
  // Eight row groups of 100 rows.
  const body = everyTypeWithHyparquet(800, 100);
  const metadata = parquetMetadata(new Uint8Array(body));
  const groups = rowGroupsOf(metadata, body.length);
  const largest = Math.max(...groups.map((group) => group.end - group.start));
  const largestDecoded = Math.max(...groups.map((group) => group.decodedBytes));

  it('knows every row group: its bytes, end to end in the file, and the rows before it', () => {
    expect(groups.map((group) => group.firstRow)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
    expect(groups[0]?.start).toBe(4);
    groups.slice(1).forEach((group, index) => expect(group.start).toBe(groups[index]?.end));
  });

  it('puts as many whole row groups in a chunk as their decoded bytes fit in the chunk size, numbering rows across chunks', () => {
    // Weighed decoded: Parquet compresses, and a chunk's time is its rows'.
    expect(groups.every((group) => group.decodedBytes > group.end - group.start)).toBe(true);
    const chunkSize = Math.floor(largestDecoded * 2.5);
    const chunks = planParquetChunks(metadata, chunkSize, body.length);
    expect(chunks.map((chunk) => chunk.positionOffset)).toEqual([0, 200, 400, 600]);
    expect(chunks.map((chunk) => chunk.index)).toEqual([0, 1, 2, 3]);
    chunks.forEach((chunk, index) => {
      expect(chunk.start).toBe(groups[index * 2]?.start);
      expect(chunk.end).toBe(groups[index * 2 + 1]?.end);
    });
  });

  it('gives a row group that decodes to more than the chunk size, but is stored in less, a chunk of its own', () => {
    const chunks = planParquetChunks(metadata, Math.max(largest, Math.floor(largestDecoded / 2)), body.length);
    expect(chunks.map((chunk) => chunk.positionOffset)).toEqual([0, 100, 200, 300, 400, 500, 600, 700]);
  });

  it('makes the whole file one chunk when it fits', () => {
    expect(decodedBytesOf(metadata)).toBe(groups.reduce((sum, group) => sum + group.decodedBytes, 0));
    expect(planParquetChunks(metadata, decodedBytesOf(metadata), body.length)).toEqual([{ index: 0, start: 4, end: groups.at(-1)?.end, positionOffset: 0 }]);
  });

  it('refuses a row group larger than the chunk size, naming it and its size', () => {
    const plan = () => planParquetChunks(metadata, largest - 1, body.length);
    expect(plan).toThrow(FileRejectedError);
    expect(plan).toThrow(/^row group \d of 8 holds [\d.]+ KiB \(100 rows\), more than the chunk size of [\d.]+ KiB/);
  });

  it('gives a file without rows one empty chunk', () => {
    expect(planParquetChunks({ ...metadata, row_groups: [] }, 1024, body.length)).toEqual([{ index: 0, start: 0, end: 0, positionOffset: 0 }]);
  });
});
