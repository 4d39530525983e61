import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { EventSource } from '../topology/eventSources';

/** The function's event source mappings, all pages of them. */
async function mappingsOf(lambda: LambdaClient, functionName: string): Promise<EventSourceMappingConfiguration[]> {
  const mappings: EventSourceMappingConfiguration[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }));
    mappings.push(...(page.EventSourceMappings ?? []));
    marker = page.NextMarker;
  } while (marker);
  return mappings;
}

/** Whether a mapping is on (or on its way on): Lambda's states are Enabled, Enabling, Creating, Updating, Disabled, Disabling, Deleting. */
function isOn(mapping: EventSourceMappingConfiguration): boolean {
  return ['Enabled', 'Enabling', 'Creating'].includes(mapping.State ?? '');
}

/** Lambda's lowest maximum concurrency of an SQS event source mapping. */
const MIN_MAPPING_CONCURRENCY = 2;

/**
 * Makes a queue function's SQS event source mappings (on AWS) what the
 * registry says: a mapping per tenant queue of the function (its stream
 * queues, or its chunk queues), with the source's batch size, window and
 * maximum concurrency and ReportBatchItemFailures, enabled while the tenant is
 * active and disabled (its messages wait in its queue) while it is not; the
 * mapping of a tenant no longer registered is deleted. Idempotent; returns
 * what it changed. The operator needs lambda:ListEventSourceMappings,
 * CreateEventSourceMapping, UpdateEventSourceMapping and DeleteEventSourceMapping
 * on the function.
 *
 * Lambda takes a maximum concurrency of 2 at the least: a tenant limited to
 * one chunk invocation gets a mapping of 2 on AWS (locally, 1 poller).
 *
 * @example
 * await syncEventSourceMappings(lambda, 'mysimbdp-prod-streamIngest', sources, queueArns, 'mysimbdp-prod-stream-');
 */
export async function syncEventSourceMappings(
  lambda: LambdaClient,
  functionName: string,
  sources: readonly EventSource[],
  /** The ARN of each source's queue, by queue name. */
  queueArns: ReadonlyMap<string, string>,
  /** The function's tenant queue names start with it; mappings of other queues are left alone. */
  queuePrefix: string,
): Promise<string[]> {
  const changes: string[] = [];
  const existing = await mappingsOf(lambda, functionName);
  const byArn = new Map(existing.map((mapping) => [mapping.EventSourceArn ?? '', mapping]));
  const wanted = new Set<string>();
  for (const source of sources) {
    const arn = queueArns.get(source.queueName);
    if (!arn) throw new Error(`no ARN for queue ${source.queueName}: provision the tenant's queues first`);
    wanted.add(arn);
    const maximumConcurrency = source.maximumConcurrency === undefined ? undefined : Math.max(MIN_MAPPING_CONCURRENCY, source.maximumConcurrency);
    const settings = {
      BatchSize: source.batchSize,
      MaximumBatchingWindowInSeconds: source.batchWindowSeconds,
      ...(maximumConcurrency === undefined ? {} : { ScalingConfig: { MaximumConcurrency: maximumConcurrency } }),
    };
    const mapping = byArn.get(arn);
    if (!mapping) {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: functionName,
          EventSourceArn: arn,
          Enabled: source.enabled,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ...settings,
        }),
      );
      changes.push(`event source for ${source.queueName} created (${source.enabled ? 'enabled' : 'disabled'})`);
    } else if (
      isOn(mapping) !== source.enabled ||
      mapping.BatchSize !== settings.BatchSize ||
      (mapping.MaximumBatchingWindowInSeconds ?? 0) !== settings.MaximumBatchingWindowInSeconds ||
      mapping.ScalingConfig?.MaximumConcurrency !== maximumConcurrency
    ) {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: source.enabled, ...settings }));
      changes.push(
        `event source for ${source.queueName} updated (${source.enabled ? 'enabled' : 'disabled'}, batch ${source.batchSize}${maximumConcurrency ? `, at most ${maximumConcurrency} at once` : ''})`,
      );
    }
  }
  for (const mapping of existing) {
    const queueName = mapping.EventSourceArn?.split(':').pop() ?? '';
    if (queueName.startsWith(queuePrefix) && !wanted.has(mapping.EventSourceArn ?? '')) {
      await lambda.send(new DeleteEventSourceMappingCommand({ UUID: mapping.UUID }));
      changes.push(`event source for ${queueName} deleted`);
    }
  }
  return changes;
}
