import cassandra from 'cassandra-driver';
import { InputError } from '../../errors';
import { RecordError } from '../records/RecordError';

/** Cassandra's code for a statement it cannot parse: made from the file's names, it fails the same way on every try. */
const SYNTAX_ERROR = 0x2000;

/**
 * Why an error is the input's fault and can never succeed on a retry (a file
 * that is not text or not well formed, a table the file conflicts with, a
 * statement Cassandra cannot parse), or undefined for an error worth retrying
 * (a service down, a timeout, a bug fixed by the next deploy). Input errors
 * reject the file at once with this reason, instead of using up its tries
 * and ending in a dead-letter queue.
 */
export function inputErrorReason(error: unknown): string | undefined {
  // A record's error is counted as a bad row where the records are read; one thrown by an app's `plan` fails the
  // attempt, as any other error of the app does.
  if (error instanceof InputError && !(error instanceof RecordError)) return error.message;
  // A write error keeps the driver's error as its cause.
  const answer = error instanceof Error && !(error instanceof cassandra.errors.ResponseError) ? error.cause : error;
  if (answer instanceof cassandra.errors.ResponseError && answer.code === SYNTAX_ERROR) {
    return `Cassandra cannot take a statement made from this file (${answer.message}); rename the file or its columns`;
  }
  return undefined;
}
