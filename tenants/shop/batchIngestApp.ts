import { parseRecord, type BatchIngestApp, type TableSpec } from '../../layers/platform/src/tenantApp';
import { OrderSchema } from './orderSchema';

export const orders: TableSpec = {
  name: 'orders',
  columns: { order_id: 'text', customer_id: 'text', created_at: 'timestamp', currency: 'text', total: 'double', item_count: 'int' },
  partitionKey: ['order_id'],
  comment: 'shop: one row per order',
};

export const orderItems: TableSpec = {
  name: 'order_items',
  columns: { order_id: 'text', line_no: 'int', sku: 'text', qty: 'int', unit_price: 'double' },
  partitionKey: ['order_id'],
  clusteringKey: [{ column: 'line_no', order: 'ASC' }],
  comment: 'shop: the items of each order, in order',
};

/**
 * The shop's batch ingest app: JSON or NDJSON orders into `orders` and
 * `order_items` (one record, several rows). Keyed by order id, so a
 * re-ingestion overwrites.
 */
const shopBatchIngestApp: BatchIngestApp = {
  name: 'shop-orders',
  plan: () => ({
    tables: [orders, orderItems],
    toRows(record) {
      const order = parseRecord(OrderSchema, record.fields);
      return [
        {
          table: orders.name,
          values: {
            order_id: order.order_id,
            customer_id: order.customer_id,
            created_at: new Date(order.created_at),
            currency: order.currency,
            total: order.total,
            item_count: order.items.length,
          },
        },
        ...order.items.map((item, index) => ({
          table: orderItems.name,
          values: { order_id: order.order_id, line_no: index + 1, sku: item.sku, qty: item.qty, unit_price: item.unit_price },
        })),
      ];
    },
  }),
};

export default shopBatchIngestApp;
