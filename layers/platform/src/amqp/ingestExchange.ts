/**
 * The topic exchange tenants publish their stream messages to, with their
 * tenant id as routing key (in the stage's virtual host).
 *
 * @example
 * channel.publish(INGEST_EXCHANGE, 'zoo', body, { messageId, headers: { [PUBLISHED_AT_HEADER]: Date.now() } });
 */
export const INGEST_EXCHANGE = 'mysimbdp.ingest';

/**
 * The header of a message published to {@link INGEST_EXCHANGE} with its
 * publish time in epoch milliseconds (AMQP's own timestamp has whole seconds).
 * Without it, the bridge takes the AMQP timestamp, or the time it read the message.
 */
export const PUBLISHED_AT_HEADER = 'x-published-at-ms';
