import type { UploadRef } from '../files/ChunkTask';

/**
 * Values made from an exact upload version (its footer, its first rows),
 * remembered in this process: a version's bytes never change, so every task
 * of a file that lands in the same process reads them once. The latest
 * `capacity` are kept; a value whose making failed is not.
 *
 * @example
 * const footers = new PerUploadVersion<FileMetaData>(32);
 * const footer = await footers.get(upload, () => readFooter());
 */
export class PerUploadVersion<T> {
  private readonly values = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  get(upload: Pick<UploadRef, 'key' | 'version' | 'etag' | 'size'>, make: () => Promise<T>): Promise<T> {
    const id = `${upload.key}\n${upload.version}\n${upload.etag}\n${upload.size}`;
    const known = this.values.get(id);
    // Used again: the latest now.
    this.values.delete(id);
    const value =
      known ??
      make().catch((error: unknown) => {
        this.values.delete(id);
        throw error;
      });
    this.values.set(id, value);
    for (const oldest of this.values.keys()) {
      if (this.values.size <= this.capacity) break;
      this.values.delete(oldest);
    }
    return value;
  }
}
