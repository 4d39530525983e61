import type { StreamIngestApp, TableSpec } from '../../tenantApp';

const messagesTable: TableSpec = {
  name: 'stream_messages',
  columns: { message_id: 'text', published_at: 'timestamp', written_at: 'timestamp', body: 'text' },
  partitionKey: ['message_id'],
  comment: 'generic stream ingest: one row per message, keyed by message id',
};

/**
 * The generic stream ingest app, for tenants without their own: each message
 * is one row of `stream_messages`, keyed by its message id, with the body as
 * text (JSON stays JSON).
 */
export const genericStreamIngestApp: StreamIngestApp = {
  name: 'generic',
  tables: [messagesTable],
  toRows(message) {
    const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
    return [
      {
        table: messagesTable.name,
        values: { message_id: message.messageId, published_at: message.publishedAt, written_at: new Date(), body },
      },
    ];
  },
};
