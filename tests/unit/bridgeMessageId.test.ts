import type { ConsumeMessage } from 'amqplib';
import { setTimeout as sleep } from 'node:timers/promises';
import { toOutgoing } from '../../bridge/AmqpSqsBridge';

/** A delivery as amqplib hands it to the bridge. */
function delivery(content: string, properties: Partial<ConsumeMessage['properties']> = {}, redelivered = false): ConsumeMessage {
  return {
    content: Buffer.from(content),
    fields: { deliveryTag: Math.floor(Math.random() * 1000), redelivered, exchange: 'mysimbdp.ingest', routingKey: 'zoo', consumerTag: 'c' },
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: {},
      deliveryMode: 2,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
  };
}

describe("the bridge's message ids", () => {
  it('keeps the publisher id', () => {
    expect(toOutgoing('zoo', delivery('{"a":1}', { messageId: 'm-1' })).messageId).toBe('m-1');
  });

  it('gives a message without an id the same id when RabbitMQ delivers it again, later', async () => {
    const first = toOutgoing('zoo', delivery('{"a":1}'));
    await sleep(5);
    const again = toOutgoing(
      'zoo',
      delivery('{"a":1}', { headers: { 'x-death': [{ count: 1 }] } as unknown as ConsumeMessage['properties']['headers'] }, true),
    );
    expect(again.messageId).toBe(first.messageId);
    expect(first.messageId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('tells messages apart by content, properties and tenant', () => {
    const ids = new Set([
      toOutgoing('zoo', delivery('{"a":1}')).messageId,
      toOutgoing('zoo', delivery('{"a":2}')).messageId,
      toOutgoing('zoo', delivery('{"a":1}', { timestamp: 1_700_000_000 })).messageId,
      toOutgoing('zoo', delivery('{"a":1}', { headers: { 'x-published-at-ms': 1_700_000_000_123 } })).messageId,
      toOutgoing('shop', delivery('{"a":1}')).messageId,
    ]);
    expect(ids.size).toBe(5);
  });

  it('takes the publish time from the header, else the AMQP timestamp', () => {
    expect(toOutgoing('zoo', delivery('{}', { headers: { 'x-published-at-ms': 1_700_000_000_123 } })).publishedAt.getTime()).toBe(1_700_000_000_123);
    expect(toOutgoing('zoo', delivery('{}', { timestamp: 1_700_000_000 })).publishedAt.getTime()).toBe(1_700_000_000_000);
  });
});
