import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { output, run } from '../../localstack/process/run';
import { localCloudDir, logFile, logsDir } from '../../localstack/paths';
import { cassandraPlatformCredentials } from '../../localstack/services/cassandraRoles';
import { measureProcess } from './measureProcess';

/**
 * cqlsh from PyPI (the Cassandra 5.0 shell, packaged apart) and the Python
 * driver it runs on, as a prebuilt wheel (C extensions included): nothing is
 * compiled. cassandra-driver 3.30 has no CASS_DRIVER_NO_CYTHON switch any
 * more (its build options live in its pyproject.toml), hence `--only-binary`.
 */
export const CQLSH_REQUIREMENTS = ['cqlsh==6.2.2', 'cassandra-driver==3.30.1'];
/** Resolve the unpinned dependencies (geomet, wcwidth, pure-sasl, ...) as PyPI had them then. */
export const CQLSH_RESOLVED_AS_OF = '2026-11-01T00:00:00Z';
/** The first pip release with `--uploaded-prior-to`. */
const PIP_REQUIREMENT = 'pip==26.3';
/**
 * How the CSV files write timestamps: ISO 8601 with milliseconds and a zone,
 * e.g. 2018-10-02T20:10:10.000Z. COPY's default (`%Y-%m-%d %H:%M:%S%z`) does
 * not read it, and its fallback pattern stops at the 'T': every time of a day
 * becomes midnight, rows of a partition overwrite each other, and cqlsh still
 * reports them all as imported.
 */
export const ISO_DATETIME_FORMAT = '%Y-%m-%dT%H:%M:%S.%f%z';

export class CqlshError extends Error {
  override readonly name = 'CqlshError';
}

export interface CqlshLoadOptions {
  /** The CSV file to load. */
  file: string;
  keyspace: string;
  table: string;
  /** The file's columns, in order. */
  columns: readonly string[];
  /** The file's first line is a header (skipped). */
  header: true;
  /** The consistency COPY writes at (cqlsh's CONSISTENCY, ONE by default), e.g. LOCAL_QUORUM as the platform writes. */
  consistency?: string;
  /** COPY's DATETIMEFORMAT (Python strptime); ISO 8601 by default. */
  datetimeFormat?: string;
  /** More COPY FROM options by name, each a whole number, e.g. `{ NUMPROCESSES: 2, MAXBATCHSIZE: 100 }`. */
  copyOptions?: Readonly<Record<string, number>>;
}

export interface CqlshLoadResult {
  seconds: number;
  /** From cqlsh's "N rows imported from ..." line. */
  rowsLoaded: number;
  /** From "Failed to process N rows" (0 when absent). */
  errors: number;
  /** Peak RSS of cqlsh and its COPY worker processes together (see `measureProcess`). */
  peakRssBytes: number;
  /** CPU time, user and system, of the loader's processes (see `measureProcess`). */
  cpuSeconds: number;
  log: string;
}

function pythonVersion(python: string): [number, number] | undefined {
  const version = output(python, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])']);
  const match = version && /^(\d+)\.(\d+)$/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** A Python for cqlsh 6.2 (3.10 or newer), 3.11 first. */
export function findPythonForCqlsh(): string {
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const pyenvVersions = existsSync(join(pyenvRoot, 'versions'))
    ? readdirSync(join(pyenvRoot, 'versions'))
        .filter((version) => /^3\.\d+\.\d+$/.test(version))
        .map((version) => join(pyenvRoot, 'versions', version, 'bin', 'python3'))
    : [];
  for (const candidate of ['python3.11', 'python3.12', 'python3.13', ...pyenvVersions, 'python3']) {
    const version = pythonVersion(candidate);
    if (version && version[0] === 3 && version[1] >= 10) return candidate;
  }
  throw new CqlshError('cqlsh 6.2 needs Python 3.10 or newer, and none was found (python3.11, python3.12, python3.13, pyenv versions, python3)');
}

/** ` AND NAME = value` for each COPY option given; throws on a name or a value COPY could not read. */
export function copyOptionsClause(options: Readonly<Record<string, number>> = {}): string {
  return Object.entries(options)
    .map(([name, value]) => {
      if (!/^[A-Z]+$/.test(name)) throw new CqlshError(`COPY option names are upper-case words, not ${JSON.stringify(name)}`);
      if (!Number.isSafeInteger(value)) throw new CqlshError(`COPY option ${name} takes a whole number, not ${value}`);
      return ` AND ${name} = ${value}`;
    })
    .join('');
}

/** A CQL identifier as written in a statement: bare when it is lower case, quoted otherwise. */
function cqlIdentifier(name: string): string {
  return /^[a-z][a-z0-9_]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/**
 * `cqlsh COPY ... FROM`, the CSV loader that ships with Cassandra, as a peer
 * to compare the platform's ingestion with. Installed from PyPI into its own
 * virtualenv, `.localcloud/bench/cqlsh-venv`.
 */
export class Cqlsh {
  readonly venv = join(localCloudDir, 'bench', 'cqlsh-venv');
  private readonly stamp = join(this.venv, 'installed-requirements');
  /** An empty cqlshrc, so that a ~/.cassandra/cqlshrc changes nothing. */
  private readonly cqlshrc = join(localCloudDir, 'bench', 'cqlsh', 'cqlshrc');
  /** COPY writes rejected rows to `import_<ks>_<table>.err` in its working directory. */
  readonly workDir = join(logsDir, 'cqlsh');
  readonly installLog = logFile('cqlsh-install');
  readonly loadLog = logFile('cqlsh-load');

  constructor(
    private readonly host = '127.0.0.1',
    private readonly port = 9042,
  ) {}

  get cqlsh(): string {
    return join(this.venv, 'bin', 'cqlsh');
  }

  private get requirements(): string {
    return `${CQLSH_REQUIREMENTS.join(' ')} @ ${CQLSH_RESOLVED_AS_OF}`;
  }

  installed(): boolean {
    return existsSync(this.stamp) && readFileSync(this.stamp, 'utf8').trim() === this.requirements;
  }

  async install(progress: (message: string) => void): Promise<void> {
    if (this.installed()) return;
    const python = findPythonForCqlsh();
    progress(`cqlsh: creating ${this.venv} with ${python} and installing ${CQLSH_REQUIREMENTS.join(', ')} from PyPI`);
    rmSync(this.venv, { recursive: true, force: true });
    const pip = join(this.venv, 'bin', 'pip');
    const quiet = ['--disable-pip-version-check', '--no-input'];
    try {
      await run(python, ['-m', 'venv', this.venv], { logPath: this.installLog });
      await run(pip, ['install', ...quiet, PIP_REQUIREMENT], { logPath: this.installLog });
      await run(pip, ['install', ...quiet, '--only-binary', 'cassandra-driver', '--uploaded-prior-to', CQLSH_RESOLVED_AS_OF, ...CQLSH_REQUIREMENTS], {
        logPath: this.installLog,
      });
      await run(this.cqlsh, ['--version'], { logPath: this.installLog });
    } catch (error) {
      throw new CqlshError(`cqlsh could not be installed: ${(error as Error).message}`, { cause: error });
    }
    writeFileSync(this.stamp, `${this.requirements}\n`);
  }

  /**
   * Runs `COPY ks.table (columns) FROM 'file' WITH HEADER = TRUE AND
   * DATETIMEFORMAT = '<ISO 8601>'` through `cqlsh -e`, with the `copyOptions`
   * given. Every other COPY option keeps its default (CHUNKSIZE 5000,
   * MAXBATCHSIZE 20, MINBATCHSIZE 10, INGESTRATE 100000, NUMPROCESSES cores -
   * 1, MAXATTEMPTS 5, MAXPARSEERRORS unlimited, MAXINSERTERRORS 1000). Throws
   * when cqlsh fails or prints no import count.
   */
  async load(options: CqlshLoadOptions): Promise<CqlshLoadResult> {
    if (!this.installed()) throw new CqlshError(`cqlsh is not installed in ${this.venv}; call install() first`);
    if (!existsSync(options.file)) throw new CqlshError(`cqlsh: no such file ${options.file}`);
    mkdirSync(join(this.cqlshrc, '..'), { recursive: true });
    // The platform's role, as the other loaders use it (the file is the project's, readable by its owner only).
    const { username, password } = cassandraPlatformCredentials();
    writeFileSync(
      this.cqlshrc,
      `; Written by bench/peers/Cqlsh.ts: cqlsh defaults, and the platform's Cassandra role.\n[authentication]\nusername = ${username}\npassword = ${password}\n`,
      {
        mode: 0o600,
      },
    );
    mkdirSync(this.workDir, { recursive: true });
    const columns = options.columns.map(cqlIdentifier).join(', ');
    const file = options.file.replaceAll("'", "''");
    const format = (options.datetimeFormat ?? ISO_DATETIME_FORMAT).replaceAll("'", "''");
    const consistency = options.consistency ? `CONSISTENCY ${cqlIdentifier(options.consistency.toLowerCase()).toUpperCase()}; ` : '';
    const statement =
      consistency +
      `COPY ${cqlIdentifier(options.keyspace)}.${cqlIdentifier(options.table)} (${columns}) FROM '${file}' ` +
      `WITH HEADER = ${options.header ? 'TRUE' : 'FALSE'} AND DATETIMEFORMAT = '${format}'${copyOptionsClause(options.copyOptions)}`;
    const startOffset = existsSync(this.loadLog) ? readFileSync(this.loadLog).length : 0;
    const measured = await measureProcess(this.cqlsh, [`--cqlshrc=${this.cqlshrc}`, '--disable-history', this.host, String(this.port), '-e', statement], {
      cwd: this.workDir,
      // cqlsh creates its history's folder even with history off; keep it out of ~/.cassandra.
      env: { ...process.env, CQL_HISTORY: join(this.cqlshrc, '..', 'cqlsh_history') },
      logPath: this.loadLog,
    });
    // The progress line is redrawn with carriage returns.
    const text = readFileSync(this.loadLog).subarray(startOffset).toString('utf8').replaceAll('\r', '\n');
    const imported = /(\d+) rows imported from \d+ files?/.exec(text);
    if (measured.exitCode !== 0 || !imported) {
      const why = measured.exitCode === null ? `killed by ${measured.signal}` : `exit ${measured.exitCode}`;
      const lastLines = text
        .split('\n')
        .filter((line) => line.trim() && !line.startsWith('Processed:'))
        .slice(-5)
        .join('\n');
      throw new CqlshError(
        `cqlsh COPY of ${options.file} into ${options.keyspace}.${options.table} failed (${why}${imported ? '' : ', no "rows imported" line'}); read ${this.loadLog}. Last lines:\n${lastLines}`,
      );
    }
    return {
      seconds: measured.seconds,
      rowsLoaded: Number(imported[1]),
      errors: Number(/Failed to process (\d+) rows/.exec(text)?.[1] ?? 0),
      peakRssBytes: measured.peakRssBytes,
      cpuSeconds: measured.cpuSeconds,
      log: this.loadLog,
    };
  }
}
