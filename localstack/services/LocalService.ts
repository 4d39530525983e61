/** Where a local service stands. */
export interface ServiceStatus {
  readonly installed: boolean;
  /** Pid of the process the local cloud started, if running. */
  readonly pid: number | undefined;
  /** Whether the service really answers (CQL, LocalStack health, AMQP). */
  readonly serving: boolean;
  readonly latencyMs: number | undefined;
}

/**
 * One service of the local cloud (Cassandra, LocalStack, RabbitMQ): install
 * once (cached, idempotent), start if not running, wait until it really
 * serves, report status, stop.
 */
export interface LocalService {
  readonly name: string;
  /** What it is and where it listens, for docs/local-cloud.md and `status`. */
  readonly description: string;
  readonly logFile: string;
  installed(): boolean;
  install(progress: (message: string) => void): Promise<void>;
  /** A real protocol round trip, not just an open port. */
  serving(): Promise<boolean>;
  /** Starts the service unless it already serves; resolves once it serves. Returns whether it started it. */
  start(): Promise<boolean>;
  /** Stops the process the local cloud started; false when none was running. */
  stop(): Promise<boolean>;
  status(): Promise<ServiceStatus>;
}
