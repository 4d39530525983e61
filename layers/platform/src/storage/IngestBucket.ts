import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, NotFound, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { Readable } from 'node:stream';

export interface PresignedUpload {
  /** Where to POST the multipart form. */
  readonly url: string;
  /** Form fields to send before the file field, in this order. */
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

export interface StoredObject {
  readonly size: number;
  readonly etag: string;
}

function isMissing(error: unknown): boolean {
  return error instanceof NotFound || (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404));
}

/**
 * The ingest bucket: presigned uploads into a tenant's `incoming/` prefix,
 * streaming reads for the batch-ingest function, and the move to `ingested/`
 * or `rejected/` once a file is done.
 *
 * @example
 * const bucket = new IngestBucket(s3, 'mysimbdp-local-ingest');
 * const upload = await bucket.presignUpload(key, 10 * 1024 * 1024, 900);
 */
export class IngestBucket {
  constructor(
    private readonly s3: S3Client,
    readonly name: string,
  ) {}

  /**
   * A presigned POST for exactly `key`, whose policy makes S3 itself refuse a
   * body over `maxBytes` (`content-length-range`), whatever the client claims.
   */
  async presignUpload(key: string, maxBytes: number, expiresInSeconds: number): Promise<PresignedUpload> {
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.name,
      Key: key,
      Conditions: [
        ['content-length-range', 0, maxBytes],
        ['eq', '$key', key],
      ],
      Expires: expiresInSeconds,
    });
    return { url, fields, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return { size: head.ContentLength ?? 0, etag: (head.ETag ?? '').replace(/"/g, '') };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** The object's body as a Node stream, read as it is consumed. */
  async openStream(key: string): Promise<Readable> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
    return object.Body as Readable;
  }

  /** Copies then deletes; a retry after a crash in between finds the copy and deletes again. */
  async move(from: string, to: string): Promise<void> {
    await this.s3.send(new CopyObjectCommand({ Bucket: this.name, Key: to, CopySource: `${this.name}/${encodeURIComponent(from).replace(/%2F/g, '/')}` }));
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.name, Key: from }));
  }
}
