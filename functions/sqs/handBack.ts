import { ChangeMessageVisibilityCommand, GetQueueUrlCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchItemFailure, SQSRecord } from 'aws-lambda';
import {
  backoff,
  classifyFailure,
  DeferredError,
  HAND_BACK_ATTRIBUTES,
  MAX_MESSAGE_DELAY_SECONDS,
  MAX_VISIBILITY_TIMEOUT_SECONDS,
  OUTAGE_BACKOFF,
  platformLogger,
  ServiceUnavailableError,
  systemClock,
  type Clock,
} from '../../layers/platform/src';

/** How a queue's failed messages come back. */
export interface HandBackPolicy {
  /** Tries an error of the input gets, this one included; the last one dead-letters (the queue's maxReceiveCount). */
  readonly maxReceiveCount: number;
  /** Seconds before the next try after an error of the input, by the try that failed (1, 2, ...). */
  readonly retryDelaySeconds: (receiveCount: number) => number;
  /** Outage backoff: the first delay, doubling to `maxDelaySeconds`, for at least `budgetSeconds` (defaults: OUTAGE_BACKOFF's 5 s, 300 s, 900 s). */
  readonly outage?: { readonly firstDelaySeconds?: number; readonly maxDelaySeconds?: number; readonly budgetSeconds?: number };
  /** Told when a record was dead-lettered (after it was), so that what it was for can say it failed; its own failure is logged. */
  readonly onDeadLetter?: (record: SQSRecord, error: unknown, receiveCount: number) => Promise<void>;
  /** The time an outage's budget is measured by (the machine's clock unless a test gives its own). */
  readonly clock?: Clock;
}

/** A record the handler could not process, and why. */
export interface HandBackFailure {
  readonly record: SQSRecord;
  readonly error: unknown;
  /** Tries this record gets when they are not the policy's (a stream message gets its tenant's `stream.maxReceiveCount`). */
  readonly maxReceiveCount?: number;
}

const urls = new Map<string, Promise<string>>();

function queueNameOf(record: SQSRecord): string {
  return record.eventSourceARN.split(':').pop() as string;
}

function queueUrl(sqs: SQSClient, name: string): Promise<string> {
  let url = urls.get(name);
  if (!url) {
    url = sqs.send(new GetQueueUrlCommand({ QueueName: name })).then((reply) => reply.QueueUrl as string);
    url.catch(() => urls.delete(name));
    urls.set(name, url);
  }
  return url;
}

function numberAttribute(record: SQSRecord, name: string): number | undefined {
  const value = record.messageAttributes?.[name]?.stringValue;
  return value === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value);
}

/**
 * The try this delivery is, counting the tries of earlier copies of the
 * message (an outage re-send is a new SQS message, whose own receive count
 * starts again at 1). Handlers pass it wherever they used ApproximateReceiveCount.
 *
 * @example
 * pipeline.ingest(object, { receiveCount: receiveCountOf(record), maxReceiveCount: 3 });
 */
export function receiveCountOf(record: SQSRecord): number {
  return (numberAttribute(record, HAND_BACK_ATTRIBUTES.priorReceives) ?? 0) + Number(record.attributes.ApproximateReceiveCount ?? 1);
}

/** The record's message attributes as SendMessage takes them, with `changes` applied (undefined removes one). */
function attributesOf(record: SQSRecord, changes: Record<string, string | undefined>): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(record.messageAttributes ?? {})) {
    attributes[name] = {
      DataType: value.dataType,
      ...(value.stringValue !== undefined ? { StringValue: value.stringValue } : {}),
      ...(value.binaryValue !== undefined ? { BinaryValue: Buffer.from(value.binaryValue, 'base64') } : {}),
    };
  }
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = { DataType: name === HAND_BACK_ATTRIBUTES.reason ? 'String' : 'Number', StringValue: value };
  }
  return attributes;
}

async function send(sqs: SQSClient, queueName: string, record: SQSRecord, attributes: Record<string, MessageAttributeValue>, delaySeconds = 0): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: await queueUrl(sqs, queueName),
      MessageBody: record.body,
      MessageAttributes: attributes,
      ...(delaySeconds > 0 ? { DelaySeconds: Math.min(MAX_MESSAGE_DELAY_SECONDS, Math.round(delaySeconds)) } : {}),
    }),
  );
}

/** A service is down: the same message again, later, its tries untouched. False when past the outage budget. */
async function waitOutOutage(sqs: SQSClient, record: SQSRecord, failure: ServiceUnavailableError, policy: HandBackPolicy, now: number): Promise<boolean> {
  const {
    firstDelaySeconds = OUTAGE_BACKOFF.firstDelaySeconds,
    maxDelaySeconds = OUTAGE_BACKOFF.maxDelaySeconds,
    budgetSeconds = OUTAGE_BACKOFF.budgetSeconds,
  } = policy.outage ?? {};
  const since = numberAttribute(record, HAND_BACK_ATTRIBUTES.outageSince) ?? now;
  if (now - since >= budgetSeconds * 1000) return false;
  const retries = numberAttribute(record, HAND_BACK_ATTRIBUTES.outageRetries) ?? 0;
  const cap = Math.min(maxDelaySeconds, MAX_MESSAGE_DELAY_SECONDS);
  // At least what the service asked for, never past the cap.
  const delay = Math.min(cap, Math.max(failure.retryAfterSeconds, backoff({ attempt: retries, base: firstDelaySeconds, max: cap })));
  await send(
    sqs,
    queueNameOf(record),
    record,
    attributesOf(record, {
      [HAND_BACK_ATTRIBUTES.priorReceives]: String(receiveCountOf(record) - 1),
      [HAND_BACK_ATTRIBUTES.outageRetries]: String(retries + 1),
      [HAND_BACK_ATTRIBUTES.outageSince]: String(since),
    }),
    delay,
  );
  platformLogger.warn('service unavailable; message put back until it is', {
    queue: queueNameOf(record),
    messageId: record.messageId,
    unavailable: failure.service,
    outageRetries: retries + 1,
    retryInSeconds: delay,
    error: failure,
  });
  return true;
}

/** Tells why a failure happened, in one line for the dead-letter queue. */
function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
}

/**
 * Hands a batch's failed records back to SQS (the event source runs with
 * ReportBatchItemFailures) so that each comes back as its kind of failure
 * deserves, and returns the batch item failures to report (`sqsHandler`
 * calls it for every SQS function). The error of each record is classified
 * once ({@link classifyFailure}):
 *
 * - **a service is down** (`ServiceUnavailableError`: Cassandra, S3, SQS,
 *   RabbitMQ): the message is sent again to its queue (same body and
 *   attributes, plus `outageRetries`, `outageSince` and `priorReceives`) with a
 *   delay of 5 s doubling to `outage.maxDelaySeconds`, and the original is
 *   reported done. SQS's receive count grows on every receive, so this is how
 *   an outage does not use up the tries meant for errors of the input. After
 *   `outage.budgetSeconds` (at least 15 minutes) of the same outage, it takes
 *   the path below;
 * - **waiting is the answer** (`DeferredError`, e.g. a disabled tenant): sent
 *   again after `retryAfterSeconds`, for as long as it takes, no try used;
 * - **an error of the input**: before the last try, the message stays failed
 *   and comes back after `retryDelaySeconds(try)` (ChangeMessageVisibility);
 *   on the last try (the failure's `maxReceiveCount`, else the policy's,
 *   counting the tries of earlier copies, see {@link receiveCountOf}) it is sent to the queue's dead-letter queue
 *   (`<queue>-dlq`) with a `reason` attribute (what failed, on which try) and
 *   the original is reported done, so the dead letter says why.
 *
 * When SQS itself refuses a re-send, the record is simply reported failed: it
 * comes back after the queue's visibility timeout, and SQS's redrive policy
 * still dead-letters it after `maxReceiveCount` receives.
 *
 * @example
 * const failures = [{ record, error }];
 * return { batchItemFailures: await handBack(sqs, failures, { maxReceiveCount: 3, retryDelaySeconds: (n) => 10 * n }) };
 */
export async function handBack(sqs: SQSClient, failures: readonly HandBackFailure[], policy: HandBackPolicy): Promise<SQSBatchItemFailure[]> {
  const now = (policy.clock ?? systemClock).now();
  const stillFailed: SQSBatchItemFailure[] = [];
  await Promise.all(
    failures.map(async ({ record, error, maxReceiveCount = policy.maxReceiveCount }) => {
      const failure = classifyFailure(error);
      const queue = queueNameOf(record);
      try {
        if (failure instanceof DeferredError) {
          await send(sqs, queue, record, attributesOf(record, {}), failure.retryAfterSeconds);
          return;
        }
        if (failure instanceof ServiceUnavailableError && (await waitOutOutage(sqs, record, failure, policy, now))) return;
        const receiveCount = receiveCountOf(record);
        if (receiveCount >= maxReceiveCount) {
          const reason = `${reasonOf(failure)} (try ${receiveCount} of ${maxReceiveCount})`.slice(0, 1000);
          await send(
            sqs,
            `${queue}-dlq`,
            record,
            attributesOf(record, { [HAND_BACK_ATTRIBUTES.reason]: reason, [HAND_BACK_ATTRIBUTES.outageRetries]: undefined }),
          );
          platformLogger.error('message dead-lettered', { queue, messageId: record.messageId, reason, error: failure });
          await policy
            .onDeadLetter?.(record, failure, receiveCount)
            .catch((callbackError: Error) =>
              platformLogger.error('could not record the dead letter', { queue, messageId: record.messageId, error: callbackError }),
            );
          return;
        }
        stillFailed.push({ itemIdentifier: record.messageId });
        const delay = Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(0, Math.round(policy.retryDelaySeconds(receiveCount))));
        await sqs.send(
          new ChangeMessageVisibilityCommand({ QueueUrl: await queueUrl(sqs, queue), ReceiptHandle: record.receiptHandle, VisibilityTimeout: delay }),
        );
      } catch (sqsError) {
        // SQS refused: the message comes back after the queue's visibility timeout.
        if (!stillFailed.some((item) => item.itemIdentifier === record.messageId)) stillFailed.push({ itemIdentifier: record.messageId });
        platformLogger.warn('could not hand the message back as planned; SQS redelivers it', {
          queue,
          messageId: record.messageId,
          error: sqsError,
        });
      }
    }),
  );
  return stillFailed;
}
