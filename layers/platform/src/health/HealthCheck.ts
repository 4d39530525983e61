export type ServiceName = 's3' | 'sqs' | 'cassandra' | 'rabbitmq';

export interface ServiceHealth {
  readonly status: 'up' | 'down';
  readonly latencyMs: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'up' | 'down';
  readonly services: Readonly<Record<ServiceName, ServiceHealth>>;
}

export type Probe = () => Promise<unknown>;

/**
 * Probes each service the platform depends on, in parallel, each with its
 * own timeout, and reports up or down with the latency.
 *
 * @example
 * const report = await new HealthCheck({ s3: () => s3.send(new HeadBucketCommand(...)), ... }).run();
 * report.status; // 'up' when every service is up
 */
export class HealthCheck {
  constructor(
    private readonly probes: Readonly<Record<ServiceName, Probe>>,
    private readonly timeoutMs = 3000,
  ) {}

  async run(): Promise<HealthReport> {
    const entries = await Promise.all(
      (Object.entries(this.probes) as Array<[ServiceName, Probe]>).map(async ([name, probe]) => [name, await this.measure(probe)] as const),
    );
    const services = Object.fromEntries(entries) as Record<ServiceName, ServiceHealth>;
    const status = Object.values(services).every((service) => service.status === 'up') ? 'up' : 'down';
    return { status, services };
  }

  private async measure(probe: Probe): Promise<ServiceHealth> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        probe(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        }),
      ]);
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { status: 'down', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
