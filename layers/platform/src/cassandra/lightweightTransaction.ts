import cassandra from 'cassandra-driver';

/**
 * How the platform runs a lightweight transaction (`IF NOT EXISTS`,
 * `IF col = ?`: the file decision and finish, chunk leases, grants, quotas):
 * Paxos among the local data center's replicas (LOCAL_SERIAL; its commit at
 * the client's LOCAL_QUORUM), so a quorum of three, two nodes, decides; and
 * never idempotent, so the driver does not send it again on its own after a
 * timeout or a lost connection (the first may have applied): the caller reads
 * what became of it on its next try.
 */
export const LIGHTWEIGHT_TRANSACTION = {
  prepare: true,
  isIdempotent: false,
  serialConsistency: cassandra.types.consistencies.localSerial,
} as const;
