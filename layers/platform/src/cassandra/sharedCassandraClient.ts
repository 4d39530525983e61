import type cassandra from 'cassandra-driver';
import { platformConfig } from '../config/PlatformConfig';
import { ConfigurationError, ServiceUnavailableError } from '../errors';
import { serviceFailure } from '../failures/serviceFailure';
import { createCassandraClient } from './createCassandraClient';

let shared: Promise<cassandra.Client> | undefined;

/**
 * The process-wide Cassandra client, connected on first use and kept across
 * Lambda invocations. A failed connection (Cassandra down at a cold start) is
 * a {@link ServiceUnavailableError} and is not cached, so the next call tries
 * again; once connected, the client reconnects to a restarted node by itself.
 */
export function sharedCassandraClient(): Promise<cassandra.Client> {
  if (!shared) {
    const client = createCassandraClient(platformConfig());
    shared = client.connect().then(
      () => client,
      async (error: Error) => {
        shared = undefined;
        await client.shutdown().catch(() => undefined);
        const where = platformConfig().cassandra.contactPoints.join(', ');
        if (!serviceFailure(error, 'cassandra'))
          throw new ConfigurationError(`cannot connect to Cassandra at ${where}: ${error.message}`, {}, { cause: error });
        throw new ServiceUnavailableError(
          `Cassandra is unreachable at ${where}: ${error.message}`,
          { service: 'cassandra', retryAfterSeconds: 5 },
          { cause: error },
        );
      },
    );
  }
  return shared;
}

/** Closes the shared client (tests, CLIs, graceful shutdown). */
export async function closeSharedCassandraClient(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current.catch(() => undefined))?.shutdown();
}
