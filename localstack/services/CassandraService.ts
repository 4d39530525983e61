import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findJava } from '../process/findJava';
import { output, run } from '../process/run';
import { localCloudDir } from '../paths';
import { connectAsAdmin, ensureCassandraRoles } from './cassandraRoles';
import { ProcessService, ServiceStartError } from './ProcessService';

/** The Apache Cassandra release the local cloud runs. */
export const CASSANDRA_VERSION = '5.0.9';
/** Pinned, so that the build does not depend on Maven's default plugin version. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** JVM flags Cassandra 5 needs on Java 17 (from its `jvm17-server.options`). */
const JAVA17_FLAGS = [
  '-Djdk.attach.allowAttachSelf=true',
  '--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED',
  '--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED',
  '--add-exports=java.sql/java.sql=ALL-UNNAMED',
  '--add-exports=java.base/java.lang.ref=ALL-UNNAMED',
  '--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.math=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.module=ALL-UNNAMED',
  '--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED',
  '--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '-Dio.netty.tryReflectionSetAccessible=true',
  '-Dio.netty.allocator.useCacheForAllThreads=true',
  '-Dio.netty.allocator.maxOrder=11',
];

/**
 * Apache Cassandra 5.0, one node on 127.0.0.1:9042.
 *
 * Maven Central does not publish the 5.0 binary tarball
 * (`org.apache.cassandra:apache-cassandra` stops at 4.0-alpha2), so the node
 * is assembled from what it does publish: `cassandra-all` and its runtime
 * dependencies, fetched with `mvn`, started with `CassandraDaemon` and this
 * project's own `cassandra.yaml`. The CQL shell for benchmarks comes from PyPI.
 */
export class CassandraService extends ProcessService {
  readonly name = 'cassandra';
  readonly description = `Apache Cassandra ${CASSANDRA_VERSION} (one node), CQL on 127.0.0.1:9042`;
  protected readonly port = 9042;
  protected readonly startTimeoutMs = 240_000;
  private readonly home = join(localCloudDir, 'cassandra');
  private readonly lib = join(this.home, 'lib');
  private readonly stamp = join(this.home, 'installed-version');

  constructor(private readonly heap = process.env.MYSIMBDP_CASSANDRA_HEAP ?? '2G') {
    super();
    this.init();
  }

  installed(): boolean {
    return existsSync(this.stamp) && readFileSync(this.stamp, 'utf8').trim() === CASSANDRA_VERSION;
  }

  async install(progress: (message: string) => void): Promise<void> {
    if (this.installed()) return;
    if (!output('mvn', ['-v'])) throw new ServiceStartError('Maven (mvn) is missing: install it with `apt-get install -y maven`');
    progress(`cassandra: fetching cassandra-all ${CASSANDRA_VERSION} and its dependencies from Maven Central`);
    mkdirSync(this.home, { recursive: true });
    writeFileSync(
      join(this.home, 'pom.xml'),
      `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>mysimbdp.localcloud</groupId>
  <artifactId>cassandra-node</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>${CASSANDRA_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`,
    );
    await run('mvn', ['-B', '-q', `${DEPENDENCY_PLUGIN}:copy-dependencies`, `-DoutputDirectory=${this.lib}`, '-DincludeScope=runtime'], {
      cwd: this.home,
      logPath: this.installLog,
    });
    writeFileSync(this.stamp, `${CASSANDRA_VERSION}\n`);
  }

  private java(): string {
    const java = findJava((major) => major === 11 || major === 17);
    if (!java) throw new ServiceStartError('Cassandra 5.0 needs Java 11 or 17 and none was found: install openjdk-17-jre-headless or set JAVA_HOME');
    return java;
  }

  private writeConfig(): string {
    const conf = join(this.home, 'conf');
    const data = join(localCloudDir, 'data', 'cassandra');
    mkdirSync(conf, { recursive: true });
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(conf, 'cassandra.yaml'),
      `# Written by localstack/services/CassandraService.ts: a single local node.
cluster_name: mysimbdp-local
num_tokens: 16
allocate_tokens_for_local_replication_factor: 1
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
data_file_directories: [${join(data, 'data')}]
commitlog_directory: ${join(data, 'commitlog')}
saved_caches_directory: ${join(data, 'saved_caches')}
hints_directory: ${join(data, 'hints')}
cdc_raw_directory: ${join(data, 'cdc_raw')}
commitlog_sync: periodic
commitlog_sync_period: 10000ms
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:7000"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: 7000
native_transport_port: 9042
start_native_transport: true
endpoint_snitch: SimpleSnitch
# As in production: every client logs in with a role, and may only do what it was granted.
authenticator: PasswordAuthenticator
authorizer: CassandraAuthorizer
role_manager: CassandraRoleManager
# Tests drop and recreate tables; snapshots would only fill the disk.
auto_snapshot: false
concurrent_compactors: 1
# A loaded two-core machine answers slower than a cluster.
write_request_timeout: 10000ms
read_request_timeout: 10000ms
range_request_timeout: 20000ms
batch_size_warn_threshold: 64KiB
`,
    );
    writeFileSync(
      join(conf, 'logback.xml'),
      `<configuration>
  <appender name="FILE" class="ch.qos.logback.core.rolling.RollingFileAppender">
    <file>${this.logFile}</file>
    <rollingPolicy class="ch.qos.logback.core.rolling.FixedWindowRollingPolicy">
      <fileNamePattern>${this.logFile}.%i</fileNamePattern>
      <minIndex>1</minIndex>
      <maxIndex>3</maxIndex>
    </rollingPolicy>
    <triggeringPolicy class="ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy">
      <maxFileSize>20MB</maxFileSize>
    </triggeringPolicy>
    <encoder><pattern>%-5level [%thread] %date{ISO8601} %F:%L - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
`,
    );
    return conf;
  }

  protected spawn(): void {
    const java = this.java();
    const conf = this.writeConfig();
    this.process.start(
      java,
      [
        `-Xms${this.heap}`,
        `-Xmx${this.heap}`,
        '-XX:+UseG1GC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.net.preferIPv4Stack=true',
        ...JAVA17_FLAGS,
        `-Dcassandra.config=file://${join(conf, 'cassandra.yaml')}`,
        `-Dlogback.configurationFile=${join(conf, 'logback.xml')}`,
        `-Dcassandra.storagedir=${join(localCloudDir, 'data', 'cassandra')}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        // The default superuser exists at once at the first start, to be replaced by the project's own.
        '-Dcassandra.superuser_setup_delay_ms=0',
        '-Dcassandra-foreground=yes',
        '-cp',
        `${conf}:${this.lib}/*`,
        'org.apache.cassandra.service.CassandraDaemon',
      ],
      { cwd: this.home },
    );
  }

  /** Answers CQL, as the local superuser (or, at the first start, the default role it is about to replace). */
  async serving(): Promise<boolean> {
    const { client } = await connectAsAdmin();
    try {
      await client.execute('SELECT release_version FROM system.local');
      return true;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  }

  protected override ready(): Promise<void> {
    return ensureCassandraRoles();
  }
}
