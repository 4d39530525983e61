import { randomUUID } from 'node:crypto';
import {
  ConstraintViolationError,
  formatByteSize,
  InvalidInputError,
  MAX_PACK_BYTES,
  packedBytes,
  ServiceUnavailableError,
  type MessagesAccepted,
  type OutgoingStreamMessage,
} from '../../layers/platform/src';
import { tenantHttpHandler } from './httpHandler';

const MAX_MESSAGES_PER_REQUEST = 500;
const MESSAGE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

interface MessageInput {
  id?: unknown;
  publishedAt?: unknown;
  body?: unknown;
}

/**
 * `POST /tenants/{tenant}/messages`: the HTTP queue endpoint. Takes one
 * message `{ id?, publishedAt?, body }` or a batch `{ messages: [...] }` and
 * puts them on the tenant's stream queue, the same queue the AMQP bridge
 * feeds. A message without an id gets one; redelivery is idempotent by id.
 */
export const handler = tenantHttpHandler<MessagesAccepted>(async ({ tenant, body, platform }) => {
  const inputs: MessageInput[] = Array.isArray((body as { messages?: unknown })?.messages)
    ? (body as { messages: MessageInput[] }).messages
    : body && typeof body === 'object' && 'body' in body
      ? [body]
      : [];
  if (inputs.length === 0) throw new InvalidInputError('send {"body": <message>} or {"messages": [{"id": "...", "body": <message>}, ...]}');
  if (inputs.length > MAX_MESSAGES_PER_REQUEST) throw new InvalidInputError(`at most ${MAX_MESSAGES_PER_REQUEST} messages per request`);
  const maxBytes = tenant.profile.stream.maxMessageSize.bytes;
  const now = new Date();
  const messages: OutgoingStreamMessage[] = inputs.map((input, index) => {
    if (input.body === undefined) throw new InvalidInputError(`messages[${index}]: body is missing`);
    const id = input.id ?? randomUUID();
    if (typeof id !== 'string' || !MESSAGE_ID.test(id))
      throw new InvalidInputError(`messages[${index}]: id must be 1-128 letters, digits, ".", "_", ":" or "-"`);
    const stamp = input.publishedAt;
    // A date-time's text (or a number, read as that text); anything else is no date.
    const publishedAt = stamp === undefined ? now : new Date(typeof stamp === 'string' || typeof stamp === 'number' ? String(stamp) : Number.NaN);
    if (Number.isNaN(publishedAt.getTime())) throw new InvalidInputError(`messages[${index}]: publishedAt must be an ISO 8601 date-time`);
    const text = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    const bytes = Buffer.byteLength(text);
    if (bytes > maxBytes) {
      throw new ConstraintViolationError(
        'stream.maxMessageSize',
        `messages[${index}] is ${formatByteSize(bytes)}; tenant ${tenant.id} accepts up to ${tenant.profile.stream.maxMessageSize.text}`,
      );
    }
    const packed = packedBytes({ messageId: id, publishedAt, text, attempts: 0 });
    if (packed > MAX_PACK_BYTES) {
      throw new ConstraintViolationError(
        'stream.maxMessageSize',
        `messages[${index}] is ${formatByteSize(bytes)} but ${formatByteSize(packed)} once packed for SQS (characters JSON must escape), over SQS's limit; send it as JSON, or smaller`,
      );
    }
    return { messageId: id, publishedAt, body: text };
  });
  const outcome = await platform.streamQueues.send(tenant.id, messages);
  if (outcome.failed.length) {
    throw new ServiceUnavailableError(`SQS refused ${outcome.failed.length} of ${messages.length} messages; send those again`, {
      service: 'sqs',
      failed: outcome.failed,
    });
  }
  return { status: 202, body: { tenant: tenant.id, accepted: outcome.sent, messageIds: messages.map((m) => m.messageId) } satisfies MessagesAccepted };
});
