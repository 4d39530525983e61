import type { EventSourceMappingConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { loadPlatformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { syncEventSourceMappings } from '../../layers/platform/src/provisioning/syncEventSourceMappings';
import type { Tenant } from '../../layers/platform/src/tenants/Tenant';
import { TenantProfileSchema } from '../../layers/platform/src/tenants/TenantProfile';
import { chunkEventSources, streamEventSources, type EventSource } from '../../layers/platform/src/topology/eventSources';
import { Topology } from '../../layers/platform/src/topology/Topology';

const topology = new Topology(loadPlatformConfig({ MYSIMBDP_STAGE: 'prod' }));
const arnOf = (name: string): string => `arn:aws:sqs:eu-west-1:123456789012:${name}`;

function tenant(id: string, status: 'active' | 'disabled', batchSize = 100, chunkInvocations?: number): Tenant {
  const profile = TenantProfileSchema.parse({
    tenant: id,
    displayName: id,
    status,
    keyspace: `tenant_${id}`,
    batch: { maxFileSize: '1 MiB', maxFilesPerBatch: 1, allowedFormats: ['csv'] },
    stream: { batchSize, batchWindowSeconds: 2 },
    ...(chunkInvocations ? { limits: { chunkInvocations } } : {}),
  });
  return { id, profile, credentials: { passwordHash: 'x', amqp: { hashingAlgorithm: 'rabbit_password_hashing_sha256', passwordHash: 'y' } } };
}

const scaling = (input: Record<string, unknown>): string =>
  input.ScalingConfig ? ` max=${String((input.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency)}` : '';

/** Lambda's event source mapping API as AWS answers it, in memory, recording what the sync asked for. */
function lambdaApi(existing: EventSourceMappingConfiguration[]): { lambda: LambdaClient; calls: string[] } {
  const calls: string[] = [];
  const mappings = [...existing];
  const answer = (command: { constructor: { name: string }; input: Record<string, unknown> }): object => {
    const { input } = command;
    switch (command.constructor.name) {
      case 'ListEventSourceMappingsCommand':
        // Two pages, as AWS pages them.
        return input.Marker
          ? { EventSourceMappings: mappings.slice(1) }
          : { EventSourceMappings: mappings.slice(0, 1), NextMarker: mappings.length > 1 ? 'm' : undefined };
      case 'CreateEventSourceMappingCommand':
        calls.push(
          `create ${String(input.EventSourceArn).split(':').pop()} enabled=${String(input.Enabled)} batch=${String(input.BatchSize)} ${JSON.stringify(input.FunctionResponseTypes)}${scaling(input)}`,
        );
        return {};
      case 'UpdateEventSourceMappingCommand':
        calls.push(`update ${String(input.UUID)} enabled=${String(input.Enabled)} batch=${String(input.BatchSize)}${scaling(input)}`);
        return {};
      case 'DeleteEventSourceMappingCommand':
        calls.push(`delete ${String(input.UUID)}`);
        return {};
      default:
        throw new Error(`unexpected ${command.constructor.name}`);
    }
  };
  // Answers on a later tick, as the SDK does; an unexpected command rejects.
  const lambda = { send: (command: Parameters<typeof answer>[0]) => Promise.resolve(command).then(answer) } as unknown as LambdaClient;
  return { lambda, calls };
}

/** Syncs a function's mappings on a Lambda API that holds `existing`: what the sync asked for, and the changes it reports. */
async function sync(
  existing: EventSourceMappingConfiguration[],
  functionName: string,
  sources: EventSource[],
  queuePrefix: string,
): Promise<{ calls: string[]; changes: string[] }> {
  const { lambda, calls } = lambdaApi(existing);
  const arns = new Map(sources.map((source) => [source.queueName, arnOf(source.queueName)]));
  const changes = await syncEventSourceMappings(lambda, functionName, sources, arns, queuePrefix);
  return { calls, changes };
}

describe("the stream function's event sources follow the tenant registry", () => {
  const tenants = [tenant('zoo', 'active', 10), tenant('shop', 'disabled'), tenant('acme', 'active')];
  const sources = streamEventSources(topology, tenants);

  it('has one source per tenant, on while the tenant is active, with its profile batch settings', () => {
    expect(sources).toEqual([
      { tenant: 'zoo', queueName: 'mysimbdp-prod-stream-zoo', batchSize: 10, batchWindowSeconds: 2, maximumConcurrency: undefined, enabled: true },
      { tenant: 'shop', queueName: 'mysimbdp-prod-stream-shop', batchSize: 100, batchWindowSeconds: 2, maximumConcurrency: undefined, enabled: false },
      { tenant: 'acme', queueName: 'mysimbdp-prod-stream-acme', batchSize: 100, batchWindowSeconds: 2, maximumConcurrency: undefined, enabled: true },
    ]);
  });

  it('creates, updates and deletes mappings on AWS until they match, and leaves other queues alone', async () => {
    const existing: EventSourceMappingConfiguration[] = [
      { UUID: 'u-zoo', EventSourceArn: arnOf('mysimbdp-prod-stream-zoo'), State: 'Enabled', BatchSize: 10, MaximumBatchingWindowInSeconds: 2 },
      { UUID: 'u-shop', EventSourceArn: arnOf('mysimbdp-prod-stream-shop'), State: 'Enabled', BatchSize: 100, MaximumBatchingWindowInSeconds: 2 },
      { UUID: 'u-gone', EventSourceArn: arnOf('mysimbdp-prod-stream-gone'), State: 'Enabled', BatchSize: 100 },
      { UUID: 'u-batch', EventSourceArn: arnOf('mysimbdp-prod-batch-ingest'), State: 'Enabled', BatchSize: 1 },
    ];
    const { calls, changes } = await sync(existing, topology.streamIngestFunctionName, sources, topology.streamQueuePrefix);
    expect(calls).toEqual([
      'update u-shop enabled=false batch=100',
      'create mysimbdp-prod-stream-acme enabled=true batch=100 ["ReportBatchItemFailures"]',
      'delete u-gone',
    ]);
    expect(changes).toEqual([
      'event source for mysimbdp-prod-stream-shop updated (disabled, batch 100)',
      'event source for mysimbdp-prod-stream-acme created (enabled)',
      'event source for mysimbdp-prod-stream-gone deleted',
    ]);
  });

  it('changes nothing when the mappings already match', async () => {
    const existing = sources.map((source) => ({
      UUID: source.tenant,
      EventSourceArn: arnOf(source.queueName),
      State: source.enabled ? 'Enabled' : 'Disabled',
      BatchSize: source.batchSize,
      MaximumBatchingWindowInSeconds: source.batchWindowSeconds,
    }));
    const { calls, changes } = await sync(existing, topology.streamIngestFunctionName, sources, topology.streamQueuePrefix);
    expect(changes).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe("the chunk function's event sources: a queue per tenant, each within the tenant's limit and the platform's total", () => {
  const tenants = [tenant('zoo', 'active', 10, 1), tenant('shop', 'disabled'), tenant('acme', 'active', 100, 50)];
  const sources = chunkEventSources(topology, tenants, 8);

  it("has one source per tenant, one task per invocation, at most the tenant's limit and never more than the total", () => {
    expect(sources).toEqual([
      { tenant: 'zoo', queueName: 'mysimbdp-prod-chunks-zoo', batchSize: 1, batchWindowSeconds: 0, maximumConcurrency: 1, enabled: true },
      { tenant: 'shop', queueName: 'mysimbdp-prod-chunks-shop', batchSize: 1, batchWindowSeconds: 0, maximumConcurrency: 8, enabled: false },
      { tenant: 'acme', queueName: 'mysimbdp-prod-chunks-acme', batchSize: 1, batchWindowSeconds: 0, maximumConcurrency: 8, enabled: true },
    ]);
  });

  it("gives each mapping its maximum concurrency (Lambda's least is 2), and leaves the stream mappings alone", async () => {
    const existing: EventSourceMappingConfiguration[] = [
      { UUID: 'u-acme', EventSourceArn: arnOf('mysimbdp-prod-chunks-acme'), State: 'Enabled', BatchSize: 1, ScalingConfig: { MaximumConcurrency: 4 } },
      { UUID: 'u-stream', EventSourceArn: arnOf('mysimbdp-prod-stream-acme'), State: 'Enabled', BatchSize: 100 },
    ];
    const { calls, changes } = await sync(existing, topology.batchChunkFunctionName, sources, topology.chunkQueuePrefix);
    expect(calls).toEqual([
      'create mysimbdp-prod-chunks-zoo enabled=true batch=1 ["ReportBatchItemFailures"] max=2',
      'create mysimbdp-prod-chunks-shop enabled=false batch=1 ["ReportBatchItemFailures"] max=8',
      'update u-acme enabled=true batch=1 max=8',
    ]);
    expect(changes).toContain('event source for mysimbdp-prod-chunks-acme updated (enabled, batch 1, at most 8 at once)');
  });

  it('names the tenant of each of its queues, and of no other', () => {
    expect(topology.tenantOfQueue('mysimbdp-prod-chunks-zoo')).toBe('zoo');
    expect(topology.tenantOfQueue(arnOf('mysimbdp-prod-stream-acme'))).toBe('acme');
    expect(topology.tenantOfQueue('mysimbdp-prod-chunks-zoo-dlq')).toBe('zoo');
    expect(topology.tenantOfQueue('mysimbdp-prod-batch-ingest')).toBeUndefined();
    expect(topology.tenantOfQueue('mysimbdp-test-stream-zoo')).toBeUndefined();
  });
});
