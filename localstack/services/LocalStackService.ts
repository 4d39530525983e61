import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../process/run';
import { withoutAwsVariables } from '../process/withoutAwsVariables';
import { localCloudDir } from '../paths';
import { ProcessService, ServiceStartError } from './ProcessService';

/** The last open-source LocalStack release (the project was archived in March 2026). */
export const LOCALSTACK_REQUIREMENT = 'localstack-core[runtime]==2026.3.0';
/**
 * localstack-core leaves most dependencies unpinned, and later releases of
 * some (cbor2 6, pyOpenSSL 26.1, localstack-twisted 26) break it. Resolving
 * with only what PyPI had when it was released reproduces the set it shipped with.
 */
export const LOCALSTACK_RESOLVED_AS_OF = '2026-03-31T00:00:00Z';
/** The first pip release with `--uploaded-prior-to`. */
const PIP_REQUIREMENT = 'pip==26.3';

/** Where tools that need Python >= 3.12 look for it, newest first. */
function pythonCandidates(): string[] {
  const names = ['python3.14', 'python3.13', 'python3.12'];
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const pyenvVersions = existsSync(join(pyenvRoot, 'versions'))
    ? readdirSync(join(pyenvRoot, 'versions'))
        .filter((version) => /^3\.(1[2-9])\.\d+$/.test(version))
        .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
        .map((version) => join(pyenvRoot, 'versions', version, 'bin', 'python3'))
    : [];
  return [...names, ...pyenvVersions, 'python3'];
}

/** A Python interpreter of version 3.12 or newer (LocalStack 2026.3 uses 3.12 syntax). */
export function findPython312(): string {
  for (const candidate of pythonCandidates()) {
    const version = output(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
    if (version && /^3\.(1[2-9])$/.test(version)) return candidate;
  }
  throw new ServiceStartError(
    'LocalStack 2026.3 needs Python 3.12 or newer, and none was found (python3.12, python3.13, pyenv versions, python3): install one, e.g. `pyenv install 3.12`',
  );
}

/** Where a LocalStack instance listens, what it serves, and where it keeps its data. */
export interface LocalStackInstance {
  /** The service's name: its pid file, its log, and its folder under `.localcloud/data/`. */
  readonly name: string;
  readonly port: number;
  /** LocalStack's service names (`SERVICES`). */
  readonly services: readonly string[];
}

/** The local cloud's LocalStack: S3 and SQS on 127.0.0.1:4566. */
export const MAIN_LOCALSTACK: LocalStackInstance = { name: 'localstack', port: 4566, services: ['s3', 'sqs'] };

/**
 * LocalStack in host mode (no Docker): `localstack-core` from PyPI in the
 * project's virtualenv, serving S3 and SQS on 127.0.0.1:4566, or, given
 * another instance, other services on another port with data of its own.
 */
export class LocalStackService extends ProcessService {
  readonly name: string;
  readonly description: string;
  protected readonly port: number;
  protected readonly startTimeoutMs = 120_000;
  readonly venv = join(localCloudDir, 'venv');
  private readonly stamp = join(this.venv, 'installed-requirements');
  private readonly services: readonly string[];
  /** The instance's working folder: its LocalStack volume and temporary files. */
  readonly dataFolder: string;

  constructor(instance: LocalStackInstance = MAIN_LOCALSTACK) {
    super();
    this.name = instance.name;
    this.port = instance.port;
    this.services = instance.services;
    this.dataFolder = join(localCloudDir, 'data', instance.name);
    this.description = `LocalStack 2026.3.0 (host mode, no Docker): ${instance.services.join(', ')} on ${this.endpoint}`;
    this.init();
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get python(): string {
    return join(this.venv, 'bin', 'python');
  }

  installed(): boolean {
    return existsSync(this.stamp) && readFileSync(this.stamp, 'utf8').trim() === LOCALSTACK_REQUIREMENT;
  }

  async install(progress: (message: string) => void): Promise<void> {
    if (this.installed()) return;
    const python = findPython312();
    progress(`localstack: creating the virtualenv with ${python} and installing ${LOCALSTACK_REQUIREMENT} from PyPI`);
    rmSync(this.venv, { recursive: true, force: true });
    await run(python, ['-m', 'venv', this.venv], { logPath: this.installLog });
    const pip = join(this.venv, 'bin', 'pip');
    const quiet = ['--disable-pip-version-check', '--no-input'];
    await run(pip, ['install', ...quiet, PIP_REQUIREMENT], { logPath: this.installLog });
    await run(pip, ['install', ...quiet, '--uploaded-prior-to', LOCALSTACK_RESOLVED_AS_OF, LOCALSTACK_REQUIREMENT], { logPath: this.installLog });
    writeFileSync(this.stamp, `${LOCALSTACK_REQUIREMENT}\n`);
  }

  protected spawn(): void {
    const data = this.dataFolder;
    mkdirSync(data, { recursive: true });
    this.process.start(this.python, ['-m', 'localstack.runtime.main'], {
      cwd: data,
      env: {
        // Not the platform's AWS_* variables: LocalStack's own clients must talk to this instance, whatever AWS_ENDPOINT_URL says.
        ...withoutAwsVariables(),
        SERVICES: this.services.join(','),
        EAGER_SERVICE_LOADING: '1',
        GATEWAY_LISTEN: `127.0.0.1:${this.port}`,
        // The default (twisted) server binds every interface; hypercorn honours 127.0.0.1.
        GATEWAY_SERVER: 'hypercorn',
        LOCALSTACK_HOST: `127.0.0.1:${this.port}`,
        SQS_ENDPOINT_STRATEGY: 'path',
        DNS_ADDRESS: '0',
        SKIP_SSL_CERT_DOWNLOAD: '1',
        DISABLE_EVENTS: '1',
        PERSISTENCE: '0',
        LOCALSTACK_VOLUME_DIR: join(data, 'volume'),
        TMPDIR: data,
      },
    });
  }

  async serving(): Promise<boolean> {
    const response = await fetch(`${this.endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return false;
    const health = (await response.json()) as { services?: Record<string, string> };
    return this.services.every((service) => ['available', 'running'].includes(health.services?.[service] ?? ''));
  }
}
