import { PlanRangeStore, type ScannedRange } from '../../layers/platform/src/ingest/files/PlanRangeStore';
import { FakeCassandraClient } from './fakes/FakeCassandraClient';

const version = { tenant: 'zoo', ingestionId: '20261130T120000Z-abcdef-0123456789', version: 'v1' };
const range = { index: 2, count: 4, bytes: 256, chunkSize: 64 };
const scanned: ScannedRange = {
  scan: {
    kind: 'inner',
    start: 512,
    end: 768,
    lines: 7,
    startsWithLf: false,
    outside: { cuts: [{ at: 600, lines: 3, crlf: 0 }], quotedAtEnd: false, crlf: 0, endsInCr: false },
    inside: { cuts: [], quotedAtEnd: true, crlf: 0, endsInCr: false },
  },
  seam: { head: [0xa9], tail: [] },
};

describe('the scans of the ranges of a file planned in ranges', () => {
  it('saves a range under the object version and both sizes, and reads every range of them back by index', async () => {
    const client = new FakeCassandraClient();
    const store = new PlanRangeStore(client.asClient(), 'unit_mysimbdp');
    await store.save(version, range, scanned);
    const [save] = client.statements;
    expect(save?.query).toBe(
      'UPDATE unit_mysimbdp.ingestion_plan_ranges SET result = ? WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk_size = ? AND range_bytes = ? AND range = ?',
    );
    expect(save?.params).toEqual([JSON.stringify(scanned), 'zoo', version.ingestionId, 'v1', 64n, 256n, 2]);

    client.answer(/^SELECT/, [{ range: 2, result: save?.params[0] }]);
    expect(await store.list(version, range)).toEqual(new Map([[2, scanned]]));
    expect(client.statements[1]?.query).toBe(
      'SELECT range, result FROM unit_mysimbdp.ingestion_plan_ranges WHERE tenant = ? AND ingestion_id = ? AND run = ? AND chunk_size = ? AND range_bytes = ?',
    );
    expect(client.statements[1]?.params).toEqual(['zoo', version.ingestionId, 'v1', 64n, 256n]);
  });
});
