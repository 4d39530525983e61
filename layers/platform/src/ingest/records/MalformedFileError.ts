/** The file as a whole cannot be read (no CSV header, not a JSON array, broken JSON); the file is rejected. */
export class MalformedFileError extends Error {
  override readonly name = 'MalformedFileError';
}
