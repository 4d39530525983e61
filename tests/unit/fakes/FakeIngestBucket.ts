import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { IngestBucket, PresignedUpload, StoredObject } from '../../../layers/platform/src/storage/IngestBucket';
import { FakeClock } from './FakeClock';
import type { Public } from './Public';

interface ObjectVersion {
  readonly versionId: string;
  readonly body: Buffer;
  readonly etag: string;
  readonly grantId: string | undefined;
}

/** What a fake bucket call may be made to fail with. */
export type BucketOperation = 'head' | 'openRange' | 'move' | 'putText';

/**
 * The ingest bucket in memory, versioned like the real one: every upload is a
 * new version; `move` copies a version to its new key and deletes it, and
 * finds nothing to do when the version is gone. Records what it was asked to
 * do (uploads presigned, moves, deletions, texts written), and fails an
 * operation when a test says so.
 */
export class FakeIngestBucket implements Public<IngestBucket> {
  readonly name = 'fake-ingest-bucket';
  private readonly objects = new Map<string, ObjectVersion[]>();
  private versions = 0;
  readonly presigned: Array<{ key: string; maxBytes: number; expiresInSeconds: number; grantId: string }> = [];
  readonly moves: Array<{ from: string; versionId: string | undefined; to: string }> = [];
  readonly deleted: Array<{ key: string; versionId: string | undefined }> = [];
  readonly texts = new Map<string, string>();
  /** Bytes read through `openRange`, all reads together. */
  bytesRead = 0;
  /** Every byte range read through `openRange`, in order: `[start, end)` of `key`. */
  readonly ranges: Array<{ key: string; start: number; end: number }> = [];
  private readonly failures = new Map<BucketOperation, Error>();

  constructor(private readonly clock = new FakeClock()) {}

  /** An upload lands: a new version of `key`, carrying the grant id as its metadata. */
  upload(key: string, body: string | Buffer, grantId?: string): StoredObject & { versionId: string } {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    this.versions += 1;
    const version: ObjectVersion = {
      versionId: `v${this.versions}`,
      body: bytes,
      etag: createHash('md5').update(bytes).digest('hex'),
      grantId,
    };
    this.objects.set(key, [...(this.objects.get(key) ?? []), version]);
    return { size: bytes.length, etag: version.etag, versionId: version.versionId, grantId };
  }

  /** The keys that hold a version now. */
  keys(): string[] {
    return [...this.objects].filter(([, versions]) => versions.length > 0).map(([key]) => key);
  }

  /** Makes every later call of `operation` fail with `error`, until {@link heal}. */
  fail(operation: BucketOperation, error: Error): void {
    this.failures.set(operation, error);
  }

  heal(): void {
    this.failures.clear();
  }

  /** The error `operation` fails with now, if a test said it fails. */
  private failure(operation: BucketOperation): Error | undefined {
    return this.failures.get(operation);
  }

  private version(key: string, versionId: string | undefined): ObjectVersion | undefined {
    const versions = this.objects.get(key) ?? [];
    return versionId === undefined ? versions.at(-1) : versions.find((version) => version.versionId === versionId);
  }

  presignUpload(key: string, maxBytes: number, expiresInSeconds: number, grantId: string): Promise<PresignedUpload> {
    this.presigned.push({ key, maxBytes, expiresInSeconds, grantId });
    return Promise.resolve({
      url: `http://127.0.0.1/${this.name}`,
      fields: { key, 'x-amz-meta-grant-id': grantId },
      expiresAt: new Date(this.clock.now() + expiresInSeconds * 1000),
    });
  }

  head(key: string, versionId?: string): Promise<StoredObject | undefined> {
    const failure = this.failure('head');
    if (failure) return Promise.reject(failure);
    const version = this.version(key, versionId);
    return Promise.resolve(version && { size: version.body.length, etag: version.etag, versionId: version.versionId, grantId: version.grantId });
  }

  openRange(key: string, versionId: string | undefined, start: number, end: number): Promise<Readable> {
    const failure = this.failure('openRange');
    if (failure) return Promise.reject(failure);
    const version = this.version(key, versionId);
    if (!version) return Promise.reject(Object.assign(new Error(`NoSuchVersion: ${key} ${versionId}`), { name: 'NoSuchVersion' }));
    const bytes = version.body.subarray(start, end);
    this.bytesRead += bytes.length;
    this.ranges.push({ key, start, end });
    // In small pieces, as a network read gives them.
    const pieces: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += 64) pieces.push(bytes.subarray(at, at + 64));
    return Promise.resolve(Readable.from(pieces));
  }

  move(from: string, versionId: string | undefined, to: string): Promise<void> {
    const failure = this.failure('move');
    if (failure) return Promise.reject(failure);
    const version = this.version(from, versionId);
    if (!version) return Promise.resolve();
    this.moves.push({ from, versionId, to });
    this.versions += 1;
    this.objects.set(to, [...(this.objects.get(to) ?? []), { ...version, versionId: `v${this.versions}` }]);
    this.objects.set(
      from,
      (this.objects.get(from) ?? []).filter((each) => each !== version),
    );
    return Promise.resolve();
  }

  deleteVersion(key: string, versionId: string | undefined): Promise<void> {
    const version = this.version(key, versionId);
    this.deleted.push({ key, versionId });
    this.objects.set(
      key,
      (this.objects.get(key) ?? []).filter((each) => each !== version),
    );
    return Promise.resolve();
  }

  putText(key: string, body: string): Promise<void> {
    const failure = this.failure('putText');
    if (failure) return Promise.reject(failure);
    this.texts.set(key, body);
    return Promise.resolve();
  }

  putBytes(key: string, body: Buffer): Promise<void> {
    const failure = this.failure('putText');
    if (failure) return Promise.reject(failure);
    this.upload(key, body);
    return Promise.resolve();
  }

  deleteAllVersions(prefix: string): Promise<void> {
    for (const key of this.objects.keys()) if (key.startsWith(prefix)) this.objects.delete(key);
    return Promise.resolve();
  }

  getBytes(key: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.version(key, undefined)?.body);
  }

  getText(key: string): Promise<string | undefined> {
    return Promise.resolve(this.texts.get(key));
  }

  presignDownload(key: string, expiresInSeconds: number, fileName: string): Promise<string> {
    return Promise.resolve(`http://127.0.0.1/${this.name}/${key}?expires=${expiresInSeconds}&name=${encodeURIComponent(fileName)}`);
  }
}
