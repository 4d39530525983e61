import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { readRecords } from '../../layers/platform/src/ingest/records/readRecords';
import { guardText, TextGuard } from '../../layers/platform/src/ingest/records/TextGuard';

function check(bytes: Buffer, pieces = 1): void {
  const guard = new TextGuard();
  const size = Math.ceil(bytes.length / pieces);
  for (let at = 0; at < bytes.length; at += size) guard.check(bytes.subarray(at, at + size));
  guard.end();
}

describe('the text guard', () => {
  it('passes UTF-8 text, multi-byte characters split anywhere between buffers', () => {
    const text = Buffer.from('name,city\nÅsa,Zürich\n李,東京\n🐢,"a ""quoted"" €"\n');
    for (let pieces = 1; pieces <= text.length; pieces += 1) expect(() => check(text, pieces)).not.toThrow();
  });

  it('refuses a gzip archive renamed .csv, saying what it looks like', () => {
    expect(() => check(gzipSync(Buffer.from('a,b\n1,2\n')))).toThrow(
      "the file is not text: it looks like a gzip archive; upload the data itself as UTF-8 text (CSV, JSON or NDJSON); a gzip-compressed text file is taken when it is named .csv.gz, .ndjson.gz or .json.gz and its tenant's profile allows that format",
    );
  });

  it('refuses a NUL byte and a byte that is not UTF-8, with its offset', () => {
    expect(() => check(Buffer.from('a,b\n1,\u0000\n'))).toThrow('the file is not UTF-8 text: byte 6 is a NUL byte');
    expect(() => check(Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0x31, 0x2c, 0xe9, 0x0a]))).toThrow(
      'the file is not UTF-8 text: byte 6 is 0xe9, which is not UTF-8',
    );
    expect(() => check(Buffer.from([0x61, 0x0a, 0xe2, 0x82]))).toThrow('byte 2 is 0xe2, which is not UTF-8');
  });

  it('refuses UTF-16 exports (save them as UTF-8)', () => {
    expect(() => check(Buffer.from('\ufeffa,b\n', 'utf16le'))).toThrow('it looks like UTF-16 text');
  });

  it('fails the reader of a stream that turns binary half-way', async () => {
    const stream = Readable.from([Buffer.from('a,b\n1,2\n'), Buffer.from([0x33, 0x2c, 0xff, 0x0a])]);
    const read = () => Readable.from(readRecords(guardText(stream), 'csv')).toArray();
    await expect(read()).rejects.toThrow('the file is not UTF-8 text: byte 10 is 0xff, which is not UTF-8');
  });
});
