import type { BridgeProcess } from './BridgeProcess';
import type { LocalCloud } from './LocalCloud';
import type { LocalStage } from './localEnvironment';
import type { ServerlessOffline } from './PlatformProcess';
import { restoreLocalStack } from './provisionLocal';
import type { ProcessService } from './services/ProcessService';
import { Supervisor, type Supervised } from './Supervisor';

const LOCAL_STAGES: readonly LocalStage[] = ['local', 'test', 'bench'];

/** A service of the local cloud: dead when its process is gone and it does not answer. */
export function supervisedService(service: ProcessService, afterStart: () => Promise<void>): Supervised {
  return {
    name: service.name,
    alive: async () => service.runningPid() !== undefined || (await service.serving().catch(() => false)),
    revive: async () => {
      await service.start();
      await afterStart();
    },
  };
}

/** Gives a restarted LocalStack back the bucket, notification and queues of every local stage that has a tenant registry. */
export async function restoreLocalStages(say: (message: string) => void): Promise<void> {
  for (const stage of LOCAL_STAGES) {
    // A stage that was never provisioned has no registry to restore from.
    await restoreLocalStack(stage, say).catch((error: Error) => say(`restore ${stage}: skipped (${error.message.split('\n')[0]})`));
  }
}

/** A platform process (serverless offline, the bridge): dead when its process is gone. */
function supervisedProcess(name: string, platformProcess: ServerlessOffline | BridgeProcess): Supervised {
  return {
    name,
    alive: () => Promise.resolve(platformProcess.process.pid() !== undefined),
    revive: () => platformProcess.start(),
  };
}

/**
 * What `npm start` supervises: the services it started itself (a service
 * someone else started is theirs to mind), serverless offline and the bridge.
 * A restarted LocalStack gets back the bucket, notification and queues of every
 * local stage that has a tenant registry (it keeps them in memory).
 *
 * @example
 * const supervisor = localSupervision({ cloud, started, offline, bridge }, say);
 * supervisor.watch();
 */
export function localSupervision(
  parts: { cloud: LocalCloud; started: readonly string[]; offline: ServerlessOffline; bridge: BridgeProcess },
  say: (message: string) => void,
): Supervisor {
  const restoreStages = (): Promise<void> => restoreLocalStages(say);
  const services = parts.cloud.services
    .filter((service) => parts.started.includes(service.name))
    .map((service) => supervisedService(service, service.name === 'localstack' ? restoreStages : () => Promise.resolve()));
  return new Supervisor([...services, supervisedProcess('serverless offline', parts.offline), supervisedProcess('bridge', parts.bridge)], say);
}
