import { InputError } from '../../errors';

/**
 * Thrown by an ingest app for a record it refuses: the record is counted as a
 * bad row and reported with its position and this message.
 *
 * @example
 * if (Number.isNaN(temperature)) throw new RecordError(`temperature: "${raw}" is not a number`);
 */
export class RecordError extends InputError {
  override readonly name = 'RecordError';
  readonly code = 'INVALID_RECORD';
}
