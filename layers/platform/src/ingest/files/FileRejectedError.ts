/**
 * The upload breaks the tenant's profile, its grant or the daily quota: it is
 * moved to `rejected/` and its ingestion record says why. Not retried.
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
