import type { TableRow, TableSpec } from '../../cassandra/TableSpec';

/** One message from a tenant's stream. */
export interface StreamMessage {
  readonly tenant: string;
  /** The publisher's message id; rows keyed by it make redelivery idempotent. */
  readonly messageId: string;
  readonly publishedAt: Date;
  /** The message body, parsed as JSON when it is JSON, else the raw text. */
  readonly body: unknown;
  readonly bytes: number;
}

/**
 * A tenant's stream ingest app: maps each message to rows. Put it in
 * `tenants/<tenant>/streamIngestApp.ts` as the default export.
 *
 * @example
 * const app: StreamIngestApp = {
 *   name: 'zoo-live-readings',
 *   tables: [liveReadings],
 *   toRows: (message) => [{ table: 'live_readings', values: { ...parse(message.body), message_id: message.messageId } }],
 * };
 */
export interface StreamIngestApp {
  readonly name: string;
  readonly tables: readonly TableSpec[];
  /** Throw a `RecordError` for a message that is not valid; it is retried, then dead-lettered. */
  toRows(message: StreamMessage): readonly TableRow[];
}
