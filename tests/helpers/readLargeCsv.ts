// Reads a generated CSV of the size given (MB) through the platform's record
// reader and prints how many records it read. Run with a small
// --max-old-space-size to show the reader needs no more memory for a larger file.
import { Readable } from 'node:stream';
import { readRecords } from '../../layers/platform/src/ingest/records/readRecords';

const megabytes = Number(process.argv[2] ?? 100);
const line = Buffer.from('turtle-1,1538511010000,21.5,75.5,1010.2,2995,0.1,0.2,0.9,1.0,padding-to-one-hundred-bytes-per-line-xxx\n');
const block = Buffer.concat(Array.from({ length: 10_000 }, () => line));
const blocks = Math.ceil((megabytes * 1_000_000) / block.length);

function* chunks(): Generator<Buffer> {
  yield Buffer.from('dev,time,t,h,p,b,x,y,z,a,note\n');
  for (let n = 0; n < blocks; n += 1) yield block;
}

let records = 0;
for await (const batch of readRecords(Readable.from(chunks()), 'csv')) for (const item of batch) if (item.kind === 'record') records += 1;
console.log(JSON.stringify({ records, expectedRecords: blocks * 10_000, bytes: blocks * block.length, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
