/**
 * The file breaks the tenant's profile or cannot be read: it is moved to
 * `rejected/` and its ingestion record says why. Not retried.
 */
export class FileRejectedError extends Error {
  override readonly name = 'FileRejectedError';

  constructor(
    message: string,
    /** The profile constraint broken, when one is (e.g. `maxFileSize`). */
    readonly constraint?: string,
  ) {
    super(message);
  }
}
