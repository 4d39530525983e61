import { NoSuchKey, NotFound, S3ServiceException } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { IngestBucket } from '../../layers/platform/src/storage/IngestBucket';
import { FakeS3Client } from './fakes/FakeS3Client';

const from = 'tenants/zoo/incoming/20261130T120000Z-abcdef/a b.csv';
const to = 'tenants/zoo/ingested/20261130T120000Z-abcdef/a b.csv';

function setUp() {
  const s3 = new FakeS3Client();
  return { s3, bucket: new IngestBucket(s3.asClient(), 'unit-ingest') };
}

const missing = () => new NoSuchKey({ message: 'gone', $metadata: { httpStatusCode: 404 } });

describe('the ingest bucket', () => {
  it('reads what S3 says an object version is: size, ETag without quotes, version, grant', async () => {
    const { s3, bucket } = setUp();
    s3.reply('HeadObjectCommand', () => ({ ContentLength: 12, ETag: '"abc"', VersionId: 'v1', Metadata: { 'grant-id': 'g1' } }));
    expect(await bucket.head(from, 'v1')).toEqual({ size: 12, etag: 'abc', versionId: 'v1', grantId: 'g1' });
    expect(s3.sent[0]).toEqual({ command: 'HeadObjectCommand', input: { Bucket: 'unit-ingest', Key: from, VersionId: 'v1' } });
    s3.reply('HeadObjectCommand', () => ({ ContentLength: 1, ETag: 'e', VersionId: 'null' }));
    expect(await bucket.head(from)).toEqual({ size: 1, etag: 'e', versionId: undefined, grantId: undefined });
  });

  it.each([
    ['NotFound', () => new NotFound({ message: 'no', $metadata: {} })],
    ['NoSuchKey', missing],
    ['a 404', () => new S3ServiceException({ name: 'Whatever', $fault: 'client', $metadata: { httpStatusCode: 404 } })],
  ])('takes %s for an object that is gone', async (_what, error) => {
    const { s3, bucket } = setUp();
    s3.reply('HeadObjectCommand', () => {
      throw error();
    });
    s3.reply('GetObjectCommand', () => {
      throw error();
    });
    expect(await bucket.head(from)).toBeUndefined();
    expect(await bucket.getText('k')).toBeUndefined();
  });

  it('passes any other failure on', async () => {
    const { s3, bucket } = setUp();
    s3.reply('HeadObjectCommand', () => {
      throw new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 } });
    });
    await expect(bucket.head(from)).rejects.toThrow(S3ServiceException);
  });

  it('moves a version by copying it, then deleting that version', async () => {
    const { s3, bucket } = setUp();
    await bucket.move(from, 'v 1', to, 100);
    expect(s3.sent).toEqual([
      {
        command: 'CopyObjectCommand',
        input: { Bucket: 'unit-ingest', Key: to, CopySource: 'unit-ingest/tenants/zoo/incoming/20261130T120000Z-abcdef/a%20b.csv?versionId=v%201' },
      },
      { command: 'DeleteObjectCommand', input: { Bucket: 'unit-ingest', Key: from, VersionId: 'v 1' } },
    ]);
  });

  it('finds nothing to do when the version was moved already (a retry after a crash)', async () => {
    const { s3, bucket } = setUp();
    s3.reply('CopyObjectCommand', () => {
      throw missing();
    });
    await bucket.move(from, 'v1', to, 100);
    expect(s3.sent.map(({ command }) => command)).toEqual(['CopyObjectCommand']);
  });

  it('copies an object over 5 GiB in parts of 1 GiB, in order', async () => {
    const { s3, bucket } = setUp();
    s3.reply('CreateMultipartUploadCommand', () => ({ UploadId: 'u1' }));
    s3.reply('UploadPartCopyCommand', (input) => ({ CopyPartResult: { ETag: `etag-${String(input.PartNumber)}` } }));
    const size = 5 * 1024 ** 3 + 10;
    await bucket.move(from, undefined, to, size);
    const parts = s3.sent.filter(({ command }) => command === 'UploadPartCopyCommand').map(({ input }) => [input.PartNumber, input.CopySourceRange]);
    expect(parts).toHaveLength(6);
    expect(parts).toContainEqual([1, `bytes=0-${1024 ** 3 - 1}`]);
    expect(parts).toContainEqual([6, `bytes=${5 * 1024 ** 3}-${size - 1}`]);
    const complete = s3.sent.find(({ command }) => command === 'CompleteMultipartUploadCommand');
    expect(complete?.input).toEqual({
      Bucket: 'unit-ingest',
      Key: to,
      UploadId: 'u1',
      MultipartUpload: { Parts: [1, 2, 3, 4, 5, 6].map((PartNumber) => ({ PartNumber, ETag: `etag-${PartNumber}` })) },
    });
    expect(s3.sent.at(-1)?.command).toBe('DeleteObjectCommand');
  });

  it('reads a byte range of a version, and nothing for an empty range', async () => {
    const { s3, bucket } = setUp();
    s3.reply('GetObjectCommand', () => ({ Body: Readable.from([Buffer.from('hello')]) }));
    const body = await bucket.openRange(from, 'v1', 10, 15);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    expect(s3.sent).toEqual([{ command: 'GetObjectCommand', input: { Bucket: 'unit-ingest', Key: from, VersionId: 'v1', Range: 'bytes=10-14' } }]);
    const empty = await bucket.openRange(from, 'v1', 5, 5);
    expect(await empty.toArray()).toEqual([]);
  });

  it('writes and reads small texts, and deletes a version', async () => {
    const { s3, bucket } = setUp();
    await bucket.putText('k', 'text', 'text/plain');
    await bucket.deleteVersion(from, 'v1');
    s3.reply('GetObjectCommand', () => ({ Body: { transformToString: () => Promise.resolve('text') } }));
    expect(await bucket.getText('k')).toBe('text');
    expect(s3.sent.slice(0, 2)).toEqual([
      { command: 'PutObjectCommand', input: { Bucket: 'unit-ingest', Key: 'k', Body: 'text', ContentType: 'text/plain' } },
      { command: 'DeleteObjectCommand', input: { Bucket: 'unit-ingest', Key: from, VersionId: 'v1' } },
    ]);
  });
});
