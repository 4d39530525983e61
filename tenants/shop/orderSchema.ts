import { z } from 'zod';

const isoInstant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-01T10:15:00Z' });

const Item = z.object({
  sku: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, "-" or "_"'),
  qty: z.number().int().positive(),
  unit_price: z.number().nonnegative(),
});

/** A webshop order: who, when, in which currency, and its items, whose sum must equal the total. */
export const OrderSchema = z
  .object({
    order_id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1-40 letters, digits, "-" or "_"'),
    customer_id: z.string().min(1).max(40),
    created_at: isoInstant,
    currency: z.enum(['EUR', 'USD', 'SEK', 'GBP']),
    items: z.array(Item).min(1, 'an order has at least one item'),
    total: z.number().nonnegative(),
  })
  .refine((order) => Math.abs(order.items.reduce((sum, item) => sum + item.qty * item.unit_price, 0) - order.total) < 0.005, {
    message: 'does not equal the sum of qty x unit_price over the items',
    path: ['total'],
  });

/** A change of an order's status, from the shop's event stream. */
export const OrderEventSchema = z.object({
  order_id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/),
  status: z.enum(['placed', 'paid', 'shipped', 'delivered', 'cancelled']),
  at: isoInstant,
});
