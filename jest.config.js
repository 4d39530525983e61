/**
 * Jest runs the TypeScript sources as ES modules through swc, in projects:
 * `unit` (tests/unit: no service, fakes where a class takes a dependency; `npm
 * run test:unit`, with the coverage gate: at least 80 % of the lines of the
 * platform core, the Lambda functions and the bridge), `platform`
 * (integration, hostile-input and end-to-end tests against the real LocalStack,
 * Cassandra, RabbitMQ and serverless offline, never mocks; `npm test` starts
 * them and runs both projects) and, when the local cloud runs a Cassandra
 * cluster of three (`MYSIMBDP_CASSANDRA_NODES=3 npm test -- --selectProjects
 * cluster`), `cluster` (tests/cluster: nodes killed under load).
 */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'es6' } }],
};
const project = (displayName, roots, extra = {}) => ({
  displayName,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform,
  testTimeout: 240_000,
  testMatch: roots.map((root) => `<rootDir>/tests/${root}/**/*.test.ts`),
  ...extra,
});

export default {
  projects: [
    project('unit', ['unit'], { setupFiles: ['<rootDir>/tests/unit/quietLogs.ts'] }),
    project('platform', ['integration', 'hostile', 'e2e']),
    ...(Number(process.env.MYSIMBDP_CASSANDRA_NODES ?? 1) >= 3 ? [project('cluster', ['cluster'])] : []),
  ],
  testTimeout: 240_000,
  // The platform tests share one set of services and one stage: one file at a time.
  maxWorkers: 1,
  verbose: true,
  // The core, the Lambda functions and the bridge. Left out: bridge/main.ts, the bridge's process entry point, which only
  // wires the real services (the registry on Cassandra, SQS, RabbitMQ) and signal handlers around AmqpSqsBridge, and
  // runs on import: there is nothing in it a unit test can run without those services.
  collectCoverageFrom: ['layers/platform/src/**/*.ts', 'functions/**/*.ts', 'bridge/**/*.ts', '!bridge/main.ts'],
  coverageReporters: ['text-summary', 'json-summary'],
  coverageDirectory: '.localcloud/coverage',
  coverageThreshold: { global: { lines: 80 } },
};
