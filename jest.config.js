/**
 * Jest runs the TypeScript sources as ES modules through swc. Run it with
 * `npm test`, which starts the services the tests need; the integration and
 * end-to-end tests talk to the real LocalStack, Cassandra, RabbitMQ and
 * serverless offline, never to mocks.
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testTimeout: 240_000,
  // The tests share one set of services and one stage: one file at a time.
  maxWorkers: 1,
  verbose: true,
};
