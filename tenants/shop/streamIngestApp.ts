import { parseRecord, type StreamIngestApp, type TableSpec } from '../../layers/platform/src/tenantApp';
import { OrderEventSchema } from './orderSchema';

export const orderEvents: TableSpec = {
  name: 'order_events',
  columns: { order_id: 'text', at: 'timestamp', message_id: 'text', status: 'text', published_at: 'timestamp', written_at: 'timestamp' },
  partitionKey: ['order_id'],
  clusteringKey: [
    { column: 'at', order: 'ASC' },
    { column: 'message_id', order: 'ASC' },
  ],
  comment: "shop: each order's status changes, keyed by message id",
};

/** The shop's stream ingest app: order status events into `order_events`. */
const shopStreamIngestApp: StreamIngestApp = {
  name: 'shop-order-events',
  tables: [orderEvents],
  toRows(message) {
    const event = parseRecord(OrderEventSchema, message.body);
    return [
      {
        table: orderEvents.name,
        values: {
          order_id: event.order_id,
          at: new Date(event.at),
          message_id: message.messageId,
          status: event.status,
          published_at: message.publishedAt,
          written_at: new Date(),
        },
      },
    ];
  },
};

export default shopStreamIngestApp;
