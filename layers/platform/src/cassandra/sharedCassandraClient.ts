import type cassandra from 'cassandra-driver';
import { platformConfig } from '../config/PlatformConfig';
import { ServiceUnavailableError } from '../errors';
import { createCassandraClient } from './createCassandraClient';

let shared: Promise<cassandra.Client> | undefined;

/**
 * The process-wide Cassandra client, connected on first use and kept across
 * Lambda invocations. A failed connection is not cached, so the next call
 * tries again.
 */
export function sharedCassandraClient(): Promise<cassandra.Client> {
  if (!shared) {
    const client = createCassandraClient(platformConfig());
    shared = client.connect().then(
      () => client,
      async (error: Error) => {
        shared = undefined;
        await client.shutdown().catch(() => undefined);
        throw new ServiceUnavailableError(`Cassandra is unreachable at ${platformConfig().cassandra.contactPoints.join(', ')}: ${error.message}`);
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
