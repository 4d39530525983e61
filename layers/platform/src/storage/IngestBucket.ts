import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  NotFound,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { resumableRange } from './resumableRange';

export interface PresignedUpload {
  /** Where to POST the multipart form. */
  readonly url: string;
  /** Form fields to send before the file field, in this order. */
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

/** What S3 says an object is. */
export interface StoredObject {
  readonly size: number;
  readonly etag: string;
  /** Undefined where the bucket keeps no versions. */
  readonly versionId: string | undefined;
  /** The upload grant it was sent with (the `grant-id` metadata the presigned POST requires). */
  readonly grantId: string | undefined;
}

/** The metadata field every upload carries: the grant it was made with. */
export const GRANT_METADATA = 'grant-id';
/** CopyObject copies at most 5 GiB; larger objects are copied in parts of this size. */
const COPY_PART_BYTES = 1024 ** 3;
const SINGLE_COPY_LIMIT = 5 * 1024 ** 3;

function isMissing(error: unknown): boolean {
  return (
    error instanceof NotFound ||
    (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.name === 'NoSuchVersion' || error.$metadata.httpStatusCode === 404))
  );
}

function copySource(bucket: string, key: string, versionId: string | undefined): string {
  const source = `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  return versionId ? `${source}?versionId=${encodeURIComponent(versionId)}` : source;
}

/**
 * The ingest bucket: presigned uploads into a tenant's `incoming/` prefix,
 * reads of an exact object version (whole or a byte range, for chunks), the
 * move to `ingested/` or `rejected/` once a file is done, and the bad-rows
 * files tenants download. The bucket keeps versions, so an upload replayed
 * over an object being ingested cannot change what is read.
 *
 * @example
 * const bucket = new IngestBucket(s3, 'mysimbdp-local-ingest');
 * const upload = await bucket.presignUpload(key, 1024, 900, grantId);
 */
export class IngestBucket {
  constructor(
    private readonly s3: S3Client,
    readonly name: string,
  ) {}

  /**
   * A presigned POST for exactly `key`, carrying the grant id as metadata,
   * whose policy makes S3 itself refuse a body over `maxBytes`
   * (`content-length-range`), whatever the client claims.
   */
  async presignUpload(key: string, maxBytes: number, expiresInSeconds: number, grantId: string): Promise<PresignedUpload> {
    const metadata = `x-amz-meta-${GRANT_METADATA}`;
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.name,
      Key: key,
      Conditions: [
        ['content-length-range', 0, maxBytes],
        ['eq', '$key', key],
        ['eq', `$${metadata}`, grantId],
      ],
      Fields: { [metadata]: grantId },
      Expires: expiresInSeconds,
    });
    return { url, fields, expiresAt: new Date(Date.now() + expiresInSeconds * 1000) };
  }

  /** The object (a given version of it), or undefined when it is gone. */
  async head(key: string, versionId?: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.name, Key: key, VersionId: versionId }));
      return {
        size: head.ContentLength ?? 0,
        etag: (head.ETag ?? '').replace(/"/g, ''),
        versionId: head.VersionId && head.VersionId !== 'null' ? head.VersionId : undefined,
        grantId: head.Metadata?.[GRANT_METADATA],
      };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /**
   * Bytes `[start, end)` of an object version, as a Node stream read as it is
   * consumed; a read cut off on the way is taken up again where it stopped
   * ({@link resumableRange}). The first GET is sent before this returns, so a
   * version that is gone fails here.
   */
  async openRange(key: string, versionId: string | undefined, start: number, end: number): Promise<Readable> {
    if (end <= start) return Readable.from([]);
    const get = async (from: number, to: number) =>
      (await this.s3.send(new GetObjectCommand({ Bucket: this.name, Key: key, VersionId: versionId, Range: `bytes=${from}-${to - 1}` }))).Body as Readable;
    let first: Readable | undefined = await get(start, end);
    const open = async (from: number, to: number): Promise<Readable> => {
      const opened = first;
      first = undefined;
      return opened ?? get(from, to);
    };
    return resumableRange(open, start, end);
  }

  /**
   * Moves an object version to `to`: copies it (in parts above 5 GiB), then
   * deletes that version. Done again after a crash in between, it finds the
   * version gone and does nothing.
   */
  async move(from: string, versionId: string | undefined, to: string, size: number): Promise<void> {
    try {
      if (size <= SINGLE_COPY_LIMIT) {
        await this.s3.send(new CopyObjectCommand({ Bucket: this.name, Key: to, CopySource: copySource(this.name, from, versionId) }));
      } else {
        await this.copyInParts(from, versionId, to, size);
      }
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.name, Key: from, VersionId: versionId }));
  }

  /** Deletes one object version (an upload refused as a duplicate). */
  async deleteVersion(key: string, versionId: string | undefined): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.name, Key: key, VersionId: versionId }));
  }

  private async copyInParts(from: string, versionId: string | undefined, to: string, size: number): Promise<void> {
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.name, Key: to }));
    const ranges = Array.from({ length: Math.ceil(size / COPY_PART_BYTES) }, (_, index) => ({
      PartNumber: index + 1,
      range: `bytes=${index * COPY_PART_BYTES}-${Math.min(size, (index + 1) * COPY_PART_BYTES) - 1}`,
    }));
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    const copyNext = async (): Promise<void> => {
      for (let part = ranges.shift(); part; part = ranges.shift()) {
        const reply = await this.s3.send(
          new UploadPartCopyCommand({
            Bucket: this.name,
            Key: to,
            UploadId,
            PartNumber: part.PartNumber,
            CopySource: copySource(this.name, from, versionId),
            CopySourceRange: part.range,
          }),
        );
        parts.push({ PartNumber: part.PartNumber, ETag: reply.CopyPartResult?.ETag as string });
      }
    };
    await Promise.all(Array.from({ length: 8 }, copyNext));
    parts.sort((a, b) => a.PartNumber - b.PartNumber);
    await this.s3.send(new CompleteMultipartUploadCommand({ Bucket: this.name, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
  }

  /** Writes a small object the platform makes (a bad-rows file). */
  async putText(key: string, body: string, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType: contentType }));
  }

  /** Writes an object the platform makes from bytes it holds (a staged chunk of a compressed file's text, a chunk's validated rows). */
  async putBytes(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, ContentType: contentType }));
  }

  /** Deletes every version of every object under `prefix` (the bucket keeps versions: a plain delete would keep the bytes). */
  async deleteAllVersions(prefix: string): Promise<void> {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectVersionsCommand({ Bucket: this.name, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
      );
      const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((version) => ({
        Key: version.Key as string,
        VersionId: version.VersionId,
      }));
      if (objects.length) await this.s3.send(new DeleteObjectsCommand({ Bucket: this.name, Delete: { Objects: objects, Quiet: true } }));
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
  }

  /** Reads a small object the platform made, or undefined when there is none. */
  async getText(key: string): Promise<string | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      return await (object.Body as { transformToString(): Promise<string> }).transformToString();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** Reads an object the platform made, whole, as bytes, or undefined when there is none. */
  async getBytes(key: string): Promise<Buffer | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
      const bytes = await (object.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  /** A presigned GET of an object, for a tenant to download it. */
  presignDownload(key: string, expiresInSeconds: number, fileName: string): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({ Bucket: this.name, Key: key, ResponseContentDisposition: `attachment; filename="${fileName.replace(/["\\]/g, '_')}"` }),
      { expiresIn: expiresInSeconds },
    );
  }
}
