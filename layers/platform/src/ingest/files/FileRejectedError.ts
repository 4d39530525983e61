import { InputError } from '../../errors';

/**
 * The upload breaks the tenant's profile, its grant or the daily quota: it is
 * moved to `rejected/` and its ingestion record says why. Not retried.
 */
export class FileRejectedError extends InputError {
  override readonly name = 'FileRejectedError';
  readonly code = 'FILE_REJECTED';

  constructor(
    message: string,
    /** The profile constraint broken, when one is (e.g. `maxFileSize`). */
    readonly constraint?: string,
  ) {
    super(message);
  }
}
