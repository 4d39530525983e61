import cassandra from 'cassandra-driver';
import { ConstraintViolationError, ServiceUnavailableError } from '../../layers/platform/src/errors';
import { classifyFailure, serviceFailure } from '../../layers/platform/src/failures/serviceFailure';

const codes = cassandra.types.responseErrorCodes;

describe('telling a service that is down from an error of the input', () => {
  it.each([
    ['no host available', new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': new Error('connect ECONNREFUSED 127.0.0.1:9042') })],
    ['an operation timeout', new cassandra.errors.OperationTimedOutError('timed out', '127.0.0.1:9042')],
    ['busy connections', new cassandra.errors.BusyConnectionError('127.0.0.1:9042', 2048, 2)],
    ['unavailable replicas', new cassandra.errors.ResponseError(codes.unavailableException, 'Cannot achieve consistency level')],
    ['an overloaded node', new cassandra.errors.ResponseError(codes.overloaded, 'overloaded')],
    ['a bootstrapping node', new cassandra.errors.ResponseError(codes.isBootstrapping, 'bootstrapping')],
    ['a write timeout', new cassandra.errors.ResponseError(codes.writeTimeout, 'Operation timed out')],
    ['a read timeout', new cassandra.errors.ResponseError(codes.readTimeout, 'Operation timed out')],
    ['a truncate error', new cassandra.errors.ResponseError(codes.truncateError, 'truncate failed')],
    ['a server error', new cassandra.errors.ResponseError(codes.serverError, 'java.lang.RuntimeException: node is shutting down')],
  ])('Cassandra: %s is the service being down', (_, error) => {
    expect(serviceFailure(error)).toMatchObject({ service: 'cassandra', retryAfterSeconds: 5 });
    // What the driver said stays with it, for the log.
    expect(serviceFailure(error)?.cause).toBe(error);
  });

  it.each([
    ['a syntax error', new cassandra.errors.ResponseError(codes.syntaxError, "line 1:7 no viable alternative at input 'select'")],
    ['an invalid request', new cassandra.errors.ResponseError(codes.invalid, 'Keyspace test_tenant_broken does not exist')],
    ['an already existing table', new cassandra.errors.ResponseError(codes.alreadyExists, 'Table exists')],
    ['a plain error', new Error('line 3: temperature: "hot" is not a number')],
  ])('Cassandra or the app: %s stays what it is', (_, error) => {
    expect(serviceFailure(error)).toBeUndefined();
    expect(classifyFailure(error)).toBe(error);
  });

  it('wrong Cassandra credentials are no outage', () => {
    const error = new cassandra.errors.NoHostAvailableError({
      '127.0.0.1:9042': new cassandra.errors.AuthenticationError('Provided username and/or password are incorrect'),
    });
    expect(serviceFailure(error)).toBeUndefined();
  });

  it('takes a login or permission check a node could not make for want of replicas (a cluster that lost its quorum) for an outage', () => {
    const login = new cassandra.errors.AuthenticationError('Unable to perform authentication: Cannot achieve consistency level LOCAL_QUORUM');
    expect(serviceFailure(new cassandra.errors.NoHostAvailableError({ '127.0.0.2:9042': login }))).toMatchObject({ service: 'cassandra' });
    const permission = new cassandra.errors.ResponseError(
      codes.serverError,
      'Unable to perform authorization of super-user permission: Cannot achieve consistency level LOCAL_QUORUM',
    );
    expect(serviceFailure(permission)).toMatchObject({ service: 'cassandra', retryAfterSeconds: 5 });
    const refused = new cassandra.errors.ResponseError(codes.unauthorized, 'User mysimbdp_platform has no SELECT permission on <table x.y>');
    expect(serviceFailure(refused)).toBeUndefined();
  });

  it('does not take a statement the node could not prepare again (its table dropped) for an outage: the node answered', () => {
    const unprepared = new cassandra.errors.ResponseError(codes.unprepared, 'Prepared query with ID 4174 not found');
    expect(serviceFailure(new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': unprepared }))).toBeUndefined();
    const overloaded = new cassandra.errors.ResponseError(codes.overloaded, 'overloaded');
    expect(serviceFailure(new cassandra.errors.NoHostAvailableError({ '127.0.0.1:9042': overloaded }))?.service).toBe('cassandra');
  });

  it.each([
    ['a 503', Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }), 'sqs'],
    ['a 500', Object.assign(new Error('We encountered an internal error'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }), 's3'],
    ['throttling', Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }), 'sqs'],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4566'), { code: 'ECONNREFUSED', $metadata: { attempts: 5 } }), 'sqs'],
    ['a timeout', Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }), 's3'],
  ] as const)('AWS: %s is the service being down', (_, error, service) => {
    expect(serviceFailure(error, service)).toMatchObject({ service });
  });

  it.each([
    ['a missing queue', Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $metadata: { httpStatusCode: 400 } })],
    ['access denied', Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })],
    ['a missing key', Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } })],
  ])('AWS: %s stays what it is', (_, error) => {
    expect(serviceFailure(error, 's3')).toBeUndefined();
  });

  it('RabbitMQ: a lost or forced-closed connection is the broker being down', () => {
    expect(serviceFailure(new Error('Socket closed abruptly during opening handshake'))).toMatchObject({ service: 'rabbitmq' });
    expect(
      serviceFailure(
        new Error('Connection closed: 320 (CONNECTION-FORCED) with message "CONNECTION_FORCED - broker forced connection closure with reason \'shutdown\'"'),
      ),
    ).toMatchObject({
      service: 'rabbitmq',
    });
    expect(serviceFailure(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5672'), { code: 'ECONNREFUSED' }))).toMatchObject({ service: 'rabbitmq' });
    expect(serviceFailure(new Error('Operation failed: BasicPublish; 403 (ACCESS-REFUSED)'))).toBeUndefined();
  });

  it("keeps the platform's own errors as they are", () => {
    const unavailable = new ServiceUnavailableError('SQS refused 2 of 10 messages', { service: 'sqs' });
    expect(serviceFailure(unavailable)).toBe(unavailable);
    expect(serviceFailure(new ConstraintViolationError('maxFileSize', 'too big'))).toBeUndefined();
  });
});
