import { InputError } from '../../errors';

/** The file as a whole cannot be read (no CSV header, not a JSON array, broken JSON); the file is rejected. */
export class MalformedFileError extends InputError {
  override readonly name = 'MalformedFileError';
  readonly code = 'MALFORMED_FILE';
}
