import cassandra from 'cassandra-driver';
import { SchemaConflictError } from '../../layers/platform/src/cassandra/KeyspaceSchema';
import { InputError, PlatformError } from '../../layers/platform/src/errors';
import { classifyFailure } from '../../layers/platform/src/failures/serviceFailure';
import { FileRejectedError } from '../../layers/platform/src/ingest/files/FileRejectedError';
import { inputErrorReason } from '../../layers/platform/src/ingest/files/inputErrorReason';
import { MalformedFileError } from '../../layers/platform/src/ingest/records/MalformedFileError';
import { RecordError } from '../../layers/platform/src/ingest/records/RecordError';

describe('errors of the tenant input', () => {
  const parseError = new SyntaxError('Unexpected end of JSON input');
  it.each([
    ['RecordError', new RecordError('temperature: "hot" is not a number'), 'INVALID_RECORD'],
    ['MalformedFileError', new MalformedFileError('malformed JSON: Unexpected end of JSON input', { cause: parseError }), 'MALFORMED_FILE'],
    ['FileRejectedError', new FileRejectedError('big.csv is 12 MiB; the limit is 10 MiB', 'maxFileSize'), 'FILE_REJECTED'],
    ['SchemaConflictError', new SchemaConflictError('table tenant_zoo.readings already exists with primary key (id)'), 'SCHEMA_CONFLICT'],
  ])('%s is an input error, a platform error and an Error, with its own name and code', (name, error, code) => {
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(PlatformError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(String(error)).toBe(`${name}: ${error.message}`);
    // No service is down: the error stays what it is.
    expect(classifyFailure(error)).toBe(error);
  });

  it('keeps what it wraps as its cause, and a file refused the constraint it broke', () => {
    const cause = new SyntaxError('Unexpected token');
    expect(new MalformedFileError('malformed JSON: Unexpected token', { cause }).cause).toBe(cause);
    expect(new SchemaConflictError('conflict', { cause }).cause).toBe(cause);
    expect(new FileRejectedError('big.csv is 12 MiB; the limit is 10 MiB', 'maxFileSize').constraint).toBe('maxFileSize');
    expect(new FileRejectedError('quota used up').constraint).toBeUndefined();
  });

  it("refuses a file at once for an input error of the file, with the error's message", () => {
    expect(inputErrorReason(new MalformedFileError('the file is empty'))).toBe('the file is empty');
    expect(inputErrorReason(new FileRejectedError('not allowed'))).toBe('not allowed');
    expect(inputErrorReason(new SchemaConflictError('conflict'))).toBe('conflict');
    const syntax = new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.syntaxError, 'no viable alternative');
    expect(inputErrorReason(new Error('write failed', { cause: syntax }))).toMatch(/^Cassandra cannot take a statement made from this file/);
  });

  it("tries the file again for a record's error thrown beyond its records, and for any other error", () => {
    expect(inputErrorReason(new RecordError('bad sample'))).toBeUndefined();
    expect(inputErrorReason(new Error('a bug'))).toBeUndefined();
    expect(inputErrorReason(new cassandra.errors.ResponseError(cassandra.types.responseErrorCodes.overloaded, 'overloaded'))).toBeUndefined();
  });
});
