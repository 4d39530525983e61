import type { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { classifyFailure, createSqsClient, DeferredError, platformConfig, platformLogger, ServiceUnavailableError } from '../../layers/platform/src';
import { lambdaLogContext } from '../lambdaLogContext';
import { handBack, type HandBackFailure, type HandBackPolicy } from './handBack';

/** Does one record's work; what it throws hands the record back. */
export type SqsRecordHandler = (record: SQSRecord) => Promise<void>;

/**
 * Does the work of a batch's records in groups (one tenant's records
 * together), the groups at once: returns the records of the group that
 * failed, each with why; what it throws hands back the whole group.
 */
export interface SqsGroupHandler {
  /** The group a record belongs to (records of one group are handled together, in the order they came). */
  readonly groupOf: (record: SQSRecord) => string;
  /** Tries an error of the input gets in this group, when they are not the policy's (read before the group is handled). */
  readonly maxReceiveCount?: (group: string) => Promise<number | undefined>;
  readonly handle: (group: string, records: readonly SQSRecord[]) => Promise<readonly HandBackFailure[]>;
}

/** How a function's failed records come back (see {@link handBack}), and what the log calls a record. */
export interface SqsHandlerPolicy extends HandBackPolicy {
  /** What a record is to the function, for the log: "notification", "chunk task", "stream batch". */
  readonly what: string;
  /** The client records are handed back through (the platform's unless a test gives its own). */
  readonly sqs?: SQSClient;
}

/** Each record handled alone, its failure its own, one after the other in the order they came. */
function oneByOne(handleRecord: SqsRecordHandler, what: string): SqsGroupHandler {
  return {
    groupOf: () => 'all',
    handle: async (_group, records) => {
      const failures: HandBackFailure[] = [];
      for (const record of records) {
        try {
          await handleRecord(record);
        } catch (error) {
          logThrown(what, [record], error);
          failures.push({ record, error });
        }
      }
      return failures;
    },
  };
}

function groupsOf(records: readonly SQSRecord[], groupOf: (record: SQSRecord) => string): Map<string, SQSRecord[]> {
  const groups = new Map<string, SQSRecord[]>();
  for (const record of records) {
    const group = groupOf(record);
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  return groups;
}

/** What a group threw, logged once: a service down or work that waits is expected (warn), anything else is an error. */
function logThrown(what: string, records: readonly SQSRecord[], error: unknown): void {
  const failure = classifyFailure(error);
  const waits = failure instanceof ServiceUnavailableError || failure instanceof DeferredError;
  const [first] = records;
  platformLogger[waits ? 'warn' : 'error'](`${what} failed; handed back`, {
    queue: first?.eventSourceARN.split(':').pop(),
    ...(records.length === 1 ? { messageId: first?.messageId } : { messages: records.length }),
    error,
  });
}

/**
 * The one record loop of the SQS functions, as the function's middy handler
 * (with {@link lambdaLogContext}): handles the event's records one at a time,
 * or group by group, the groups at once,
 * collects what failed, and reports it as the batch item failures (the event
 * sources run with ReportBatchItemFailures) after
 * {@link handBack} has applied the policy: an outage waited out without using
 * up tries, a deferred record sent again later, an error of the input retried
 * after `retryDelaySeconds` and dead-lettered with the reason on its last try
 * (telling `onDeadLetter`). What a handler throws is logged here; the failures
 * a group handler returns were reported by whoever found them.
 *
 * @example
 * export const handler = sqsHandler(async (record) => ingest(record.body), { what: 'notification', maxReceiveCount: 3, retryDelaySeconds: (n) => 10 * n });
 * export const handler = sqsHandler({ groupOf: tenantOf, handle: async (tenant, records) => ingestAll(tenant, records) }, policy);
 */
export function sqsHandler(handler: SqsRecordHandler | SqsGroupHandler, policy: SqsHandlerPolicy) {
  const sqs = policy.sqs ?? createSqsClient(platformConfig());
  const grouped = typeof handler === 'function' ? oneByOne(handler, policy.what) : handler;
  return middy<SQSEvent, SQSBatchResponse>(async (event: SQSEvent) => {
    const failures: HandBackFailure[] = [];
    const handleGroup = async (group: string, records: SQSRecord[]): Promise<void> => {
      let maxReceiveCount: number | undefined;
      try {
        maxReceiveCount = await grouped.maxReceiveCount?.(group);
        for (const failure of await grouped.handle(group, records)) failures.push({ maxReceiveCount, ...failure });
      } catch (error) {
        logThrown(policy.what, records, error);
        failures.push(...records.map((record) => ({ record, error, maxReceiveCount })));
      }
    };
    await Promise.all([...groupsOf(event.Records, grouped.groupOf)].map(([group, records]) => handleGroup(group, records)));
    return { batchItemFailures: await handBack(sqs, failures, policy) };
  }).use(lambdaLogContext);
}
