import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { output, run } from '../../localstack/process/run';
import { localCloudDir, logFile, logsDir } from '../../localstack/paths';
import { findJava } from '../../localstack/process/findJava';
import { cassandraPlatformCredentials } from '../../localstack/services/cassandraRoles';
import { measureProcess } from './measureProcess';

/** The DataStax Bulk Loader release assembled from Maven Central. */
export const DSBULK_VERSION = '1.10.0';
/** Pinned, so that the build does not depend on Maven's default plugin version. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
/**
 * The modules of dsbulk's `distribution/pom.xml` that a CSV load needs (the
 * JSON connector and the unload and count workflows are left out); the
 * driver and everything else come in as their dependencies.
 */
const DSBULK_MODULES = ['dsbulk-runner', 'dsbulk-workflow-load', 'dsbulk-connectors-csv', 'dsbulk-batcher-reactor', 'dsbulk-executor-reactor'];
/** What `bin/dsbulk` of the distribution runs. */
const MAIN_CLASS = 'com.datastax.oss.dsbulk.runner.DataStaxBulkLoader';
/** dsbulk's exit codes (`ExitStatus`) up to which the operation ran to its end. */
const STATUS_OK = 0;
const STATUS_COMPLETED_WITH_ERRORS = 1;

export class DsbulkError extends Error {
  override readonly name = 'DsbulkError';
}

export interface DsbulkLoadOptions {
  /** The CSV file to load, or a folder of CSV files (`*.csv`, read in parallel up to `-maxConcurrentFiles` at a time). */
  file: string;
  keyspace: string;
  table: string;
  /** The file's first line names the columns (mapped to the table's by name). */
  header: true;
  /** More dsbulk settings, e.g. `['--codec.timestamp', 'ISO_ZONED_DATE_TIME']`. */
  extraArgs?: readonly string[];
}

export interface DsbulkLoadResult {
  seconds: number;
  /** dsbulk's own count of records written ("Records: ... successful"). */
  rowsLoaded: number;
  /** Records that failed to parse or to write ("Records: ... failed"). */
  errors: number;
  /** Peak RSS of the loader's JVM (sampled from /proc, see `measureProcess`). */
  peakRssBytes: number;
  /** CPU time, user and system, of the loader's processes (see `measureProcess`). */
  cpuSeconds: number;
  /** The console output of the run (appended); `operationLog` is dsbulk's own. */
  log: string;
  /** dsbulk's `operation.log` for this run, with the summary. */
  operationLog: string | undefined;
}

/** A Java that dsbulk 1.10 runs on (8 to 21). */
export function findJavaForDsbulk(): string {
  const java = findJava((major) => major >= 8 && major <= 21);
  if (!java) throw new DsbulkError('dsbulk 1.10 needs Java 8 to 21 and none was found: install openjdk-17-jre-headless or set JAVA_HOME');
  return java;
}

/** The last "Records: total: N, successful: N, failed: N" of dsbulk's summary. */
export function parseRecords(text: string): { total: number; successful: number; failed: number } | undefined {
  const matches = [...text.matchAll(/Records: total: ([\d,]+), successful: ([\d,]+), failed: ([\d,]+)/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  const number = (group: string | undefined): number => Number((group ?? '').replaceAll(',', ''));
  return { total: number(last[1]), successful: number(last[2]), failed: number(last[3]) };
}

/**
 * The DataStax Bulk Loader, as a peer to compare the platform's ingestion with.
 *
 * Maven Central has no dsbulk distribution tarball, only its modules, so the
 * tool is assembled like `CassandraService` assembles Cassandra: a pom.xml in
 * `.localcloud/bench/dsbulk/`, `copy-dependencies` into `lib/`, and the main
 * class run on `lib/*`. Its logging configuration (`logback.xml`, console on
 * stderr) ships inside `dsbulk-workflow-commons`; its per-run `operation.log`
 * goes under `.localcloud/logs/dsbulk/`.
 */
export class Dsbulk {
  readonly home = join(localCloudDir, 'bench', 'dsbulk');
  private readonly lib = join(this.home, 'lib');
  private readonly stamp = join(this.home, 'installed-version');
  readonly installLog = logFile('dsbulk-install');
  readonly loadLog = logFile('dsbulk-load');
  /** Where dsbulk writes one `<execution id>/operation.log` per run. */
  readonly operationsDir = join(logsDir, 'dsbulk');

  constructor(
    private readonly host = '127.0.0.1',
    private readonly port = 9042,
  ) {}

  installed(): boolean {
    return existsSync(this.stamp) && readFileSync(this.stamp, 'utf8').trim() === DSBULK_VERSION;
  }

  async install(progress: (message: string) => void): Promise<void> {
    if (this.installed()) return;
    if (!output('mvn', ['-v'])) throw new DsbulkError('Maven (mvn) is missing: install it with `apt-get install -y maven`');
    progress(`dsbulk: fetching dsbulk ${DSBULK_VERSION} modules and their dependencies from Maven Central`);
    mkdirSync(this.home, { recursive: true });
    const dependencies = DSBULK_MODULES.map(
      (module) => `    <dependency>
      <groupId>com.datastax.oss</groupId>
      <artifactId>${module}</artifactId>
    </dependency>`,
    ).join('\n');
    writeFileSync(
      join(this.home, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>mysimbdp.localcloud</groupId>
  <artifactId>dsbulk</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>com.datastax.oss</groupId>
        <artifactId>dsbulk-bom</artifactId>
        <version>${DSBULK_VERSION}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
${dependencies}
  </dependencies>
</project>
`,
    );
    try {
      await run('mvn', ['-B', '-q', `${DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${this.lib}`, '-DincludeScope=runtime'], {
        cwd: this.home,
        logPath: this.installLog,
      });
    } catch (error) {
      throw new DsbulkError(`dsbulk ${DSBULK_VERSION} could not be installed: ${(error as Error).message}`, { cause: error });
    }
    if (!existsSync(join(this.lib, `dsbulk-runner-${DSBULK_VERSION}.jar`))) {
      throw new DsbulkError(`dsbulk ${DSBULK_VERSION} install left no dsbulk-runner jar in ${this.lib}; read ${this.installLog}`);
    }
    writeFileSync(this.stamp, `${DSBULK_VERSION}\n`);
  }

  /**
   * Loads a CSV file, or a folder of them, with dsbulk's defaults (CSV
   * connector, `CQL_TIMESTAMP` codec, which reads ISO 8601 such as
   * 2018-10-02T20:10:10.000Z, LOCAL_ONE, batching by partition) but for
   * `extraArgs`. Settings given: the node's address, the file/keyspace/table,
   * `header`, the log directory, and no ANSI colours in the log. Throws unless
   * dsbulk ran to its end; rows that failed count in `errors`.
   */
  async load(options: DsbulkLoadOptions): Promise<DsbulkLoadResult> {
    if (!this.installed()) throw new DsbulkError(`dsbulk is not installed in ${this.home}; call install() first`);
    if (!existsSync(options.file)) throw new DsbulkError(`dsbulk: no such file ${options.file}`);
    const java = findJavaForDsbulk();
    mkdirSync(this.operationsDir, { recursive: true });
    const startOffset = existsSync(this.loadLog) ? readFileSync(this.loadLog).length : 0;
    const measured = await measureProcess(
      java,
      [
        '-cp',
        `${this.lib}/*`,
        MAIN_CLASS,
        'load',
        '-h',
        this.host,
        '-port',
        String(this.port),
        // The platform's role, as the other loaders use it.
        '-u',
        cassandraPlatformCredentials().username,
        '-p',
        cassandraPlatformCredentials().password,
        '-url',
        options.file,
        '-k',
        options.keyspace,
        '-t',
        options.table,
        '-header',
        String(options.header),
        '-logDir',
        this.operationsDir,
        '--log.ansiMode',
        'disabled',
        ...(options.extraArgs ?? []),
      ],
      { cwd: this.home, logPath: this.loadLog },
    );
    const consoleText = readFileSync(this.loadLog).subarray(startOffset).toString('utf8');
    const operationDir = /Operation directory: (.+)/.exec(consoleText)?.[1]?.trim();
    const operationLog = operationDir ? join(operationDir, 'operation.log') : undefined;
    const logs = `read ${this.loadLog}${operationLog ? ` and ${operationLog}` : ''}`;
    if (measured.exitCode !== STATUS_OK && measured.exitCode !== STATUS_COMPLETED_WITH_ERRORS) {
      const why = measured.exitCode === null ? `killed by ${measured.signal}` : `exit ${measured.exitCode}`;
      const lastLines = consoleText.trim().split('\n').slice(-5).join('\n');
      throw new DsbulkError(`dsbulk load of ${options.file} into ${options.keyspace}.${options.table} failed (${why}); ${logs}. Last lines:\n${lastLines}`);
    }
    const records = parseRecords(operationLog && existsSync(operationLog) ? readFileSync(operationLog, 'utf8') : consoleText);
    if (!records) throw new DsbulkError(`dsbulk load of ${options.file} printed no "Records:" summary; ${logs}`);
    return {
      seconds: measured.seconds,
      rowsLoaded: records.successful,
      errors: records.failed,
      peakRssBytes: measured.peakRssBytes,
      cpuSeconds: measured.cpuSeconds,
      log: this.loadLog,
      operationLog,
    };
  }
}
