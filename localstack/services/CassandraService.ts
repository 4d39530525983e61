import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findJava } from '../process/findJava';
import { output, run } from '../process/run';
import { localCloudDir } from '../paths';
import { cassandraNodeAddress, cassandraNodeCount } from './cassandraNodes';
import { connectAsAdmin, ensureCassandraRoles, isAuthenticationFailure } from './cassandraRoles';
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
 * Apache Cassandra 5.0: one node of a local cluster of `nodes` (one by
 * default), node `node` listening on its own loopback address (127.0.0.1,
 * 127.0.0.2, ...; Linux routes all of 127.0.0.0/8 to the loopback device) for
 * CQL (9042) and for the other nodes (7000), with JMX for `nodetool` on
 * 127.0.0.1:7198+node. Every node of the cluster has its own process, data
 * folder, configuration and log; node 1 is the seed the others join through.
 * A single node keeps the folders and names it always had (`cassandra`,
 * `.localcloud/data/cassandra`); a cluster of N nodes has data of its own
 * (`.localcloud/data/cassandra-N-nodes/node<i>`), so that a cluster's
 * keyspaces at replication 3 never meet a single node that cannot serve them.
 *
 * Maven Central does not publish the 5.0 binary tarball
 * (`org.apache.cassandra:apache-cassandra` stops at 4.0-alpha2), so the node
 * is assembled from what it does publish: `cassandra-all` and its runtime
 * dependencies, fetched with `mvn`, started with `CassandraDaemon` and this
 * project's own `cassandra.yaml`. The CQL shell for benchmarks comes from PyPI.
 */
export class CassandraService extends ProcessService {
  readonly name: string;
  readonly description: string;
  protected readonly port = 9042;
  protected override readonly host: string;
  protected readonly startTimeoutMs = 240_000;
  /** The port nodetool reaches this node's JMX on (bound to 127.0.0.1 only). */
  readonly jmxPort: number;
  private readonly home = join(localCloudDir, 'cassandra');
  private readonly lib = join(this.home, 'lib');
  private readonly stamp = join(this.home, 'installed-version');
  private readonly data: string;
  private readonly conf: string;

  constructor(
    readonly node = 1,
    readonly nodes = cassandraNodeCount(),
    private readonly heap = process.env.MYSIMBDP_CASSANDRA_HEAP ?? '2G',
  ) {
    super();
    const single = nodes === 1;
    this.name = single ? 'cassandra' : `cassandra${node}`;
    this.host = cassandraNodeAddress(node);
    this.jmxPort = 7198 + node;
    this.data = single ? join(localCloudDir, 'data', 'cassandra') : join(localCloudDir, 'data', `cassandra-${nodes}-nodes`, `node${node}`);
    this.conf = single ? join(this.home, 'conf') : join(this.home, `conf-${nodes}-nodes`, `node${node}`);
    this.description = single
      ? `Apache Cassandra ${CASSANDRA_VERSION} (one node), CQL on ${this.host}:9042`
      : `Apache Cassandra ${CASSANDRA_VERSION}, node ${node} of ${nodes}, CQL on ${this.host}:9042, JMX on 127.0.0.1:${this.jmxPort}`;
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
    const { conf, data } = this;
    mkdirSync(conf, { recursive: true });
    mkdirSync(data, { recursive: true });
    writeFileSync(
      join(conf, 'cassandra.yaml'),
      `# Written by localstack/services/CassandraService.ts: ${this.description}.
cluster_name: ${this.nodes === 1 ? 'mysimbdp-local' : `mysimbdp-local-${this.nodes}-nodes`}
num_tokens: 16
allocate_tokens_for_local_replication_factor: ${Math.min(3, this.nodes)}
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
      - seeds: "${cassandraNodeAddress(1)}:7000"
listen_address: ${this.host}
rpc_address: ${this.host}
storage_port: 7000
native_transport_port: 9042
start_native_transport: true
# One data center (datacenter1), one rack: what the platform's NetworkTopologyStrategy keyspaces name.
endpoint_snitch: SimpleSnitch
# As in production: every client logs in with a role, and may only do what it was granted.
authenticator: PasswordAuthenticator
authorizer: CassandraAuthorizer
role_manager: CassandraRoleManager
# Roles, permissions and credentials are read from system_auth at LOCAL_QUORUM. Cached entries are
# reloaded in the background every 2 s (a revoked grant or a dropped role takes effect within that),
# and an entry whose reload fails (a quorum briefly out of reach while a node dies) keeps serving for
# up to 60 s instead of turning every request of that moment into an authorization failure.
roles_validity: 60s
roles_update_interval: 2s
permissions_validity: 60s
permissions_update_interval: 2s
credentials_validity: 60s
credentials_update_interval: 2s
# Tests drop and recreate tables; snapshots would only fill the disk.
auto_snapshot: false
concurrent_compactors: 1
# A loaded two-core machine answers slower than a cluster. Its nodes' gossip stalls with it: at the
# default threshold (8) a node starved of CPU for a few seconds convicts a live peer, and with one node
# really down that leaves the coordinator believing a quorum is lost.
phi_convict_threshold: 12
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
        `-Dcassandra.storagedir=${this.data}`,
        `-Dcassandra.jmx.local.port=${this.jmxPort}`,
        '-Dcassandra.skip_wait_for_gossip_to_settle=0',
        // Nodes on one machine see each other at once: a joining node need not wait the 30 s a real network may need.
        '-Dcassandra.ring_delay_ms=5000',
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

  /**
   * This node answers CQL: a login as the local superuser (or, at the first
   * start, as the default role it is about to replace) succeeds, or the node
   * answers that it cannot check the login yet (a cluster restarting, its
   * roles replicated to nodes that are not up yet): either way it serves.
   */
  async serving(): Promise<boolean> {
    let connected: Awaited<ReturnType<typeof connectAsAdmin>>;
    try {
      connected = await connectAsAdmin(this.host);
    } catch (error) {
      return this.nodes > 1 && isAuthenticationFailure(error);
    }
    const { client } = connected;
    try {
      await client.execute('SELECT release_version FROM system.local');
      return true;
    } finally {
      await client.shutdown().catch(() => undefined);
    }
  }

  /** Whether this node has been a member of its cluster before (it has data): members restart together, new nodes join one at a time. */
  isMember(): boolean {
    return existsSync(join(this.data, 'data'));
  }

  /** A single node's roles, after every start; a cluster's are made once all its nodes serve (see CassandraCluster). */
  protected override ready(): Promise<void> {
    return this.nodes === 1 ? ensureCassandraRoles() : Promise.resolve();
  }

  /**
   * Runs `nodetool` against this node (its JMX port); resolves to what it
   * printed, or throws with it when it fails.
   *
   * @example
   * console.log(await new CassandraService(2, 3).nodetool(['status']));
   */
  nodetool(args: readonly string[]): string {
    const result = spawnSync(
      this.java(),
      [
        '-Xmx256m',
        ...JAVA17_FLAGS,
        '-cp',
        `${this.conf}:${this.lib}/*`,
        'org.apache.cassandra.tools.NodeTool',
        '-h',
        '127.0.0.1',
        '-p',
        String(this.jmxPort),
        ...args,
      ],
      { encoding: 'utf8' },
    );
    const printed = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
    if (result.status !== 0) throw new ServiceStartError(`nodetool ${args.join(' ')} on ${this.name} failed: ${printed || result.error?.message}`);
    return printed;
  }
}
