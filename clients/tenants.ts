import type cassandra from 'cassandra-driver';
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  alterReplication,
  assertTenantId,
  CassandraTenantRegistry,
  chunkInvocationLimit,
  ChunkShares,
  createCassandraClient,
  createLambdaClient,
  createS3Client,
  createSqsClient,
  DeadLetters,
  FILE_FORMATS,
  deprovisionTenant,
  generateAmqpSecret,
  hashPassword,
  loadPlatformConfig,
  provisionPlatform,
  RABBIT_HASHING_ALGORITHM,
  RabbitMqAdmin,
  rabbitPasswordHash,
  tenantAmqpUser,
  TenantDirectory,
  TenantProfileSchema,
  tenantReplication,
  Topology,
  type DeadLetterKind,
  type PlatformConfig,
  type TenantProfile,
  type TenantProfileInput,
} from '../layers/platform/src';
import { readSecret } from './readSecret';

interface GlobalOptions {
  stage: string;
  tenantsDir: string;
}

const LOCAL_STAGES: readonly string[] = ['local', 'test', 'bench'];
const say = (line: string): void => console.log(line);

/**
 * A local stage's environment, printed by the local cloud's own command (the
 * operator's tool does not import the local cloud's code). Run from this
 * module's folder, so that npm finds the checkout the tool belongs to from
 * wherever it is called; the last line is the JSON (lines before it are the
 * bootstrap's own, as when it installs the packages).
 */
function localStageEnvironment(stage: string): Record<string, string> {
  const args = ['run', '--silent', 'localcloud', '--', 'env', '--stage', stage, '--json'];
  const run = spawnSync('npm', args, { cwd: dirname(fileURLToPath(import.meta.url)), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`the local cloud did not give stage ${stage}'s environment (exit ${run.status}); try \`npm ${args.join(' ')}\``);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as Record<string, string>;
}

/** The stage's configuration: the local cloud's for local stages, else the process environment (AWS). */
function configOf(options: GlobalOptions): { config: PlatformConfig; local: boolean } {
  if (LOCAL_STAGES.includes(options.stage)) {
    const env = localStageEnvironment(options.stage);
    Object.assign(process.env, env);
    return { config: loadPlatformConfig(env), local: true };
  }
  return { config: loadPlatformConfig({ ...process.env, MYSIMBDP_STAGE: options.stage }), local: false };
}

async function withCassandra<T>(config: PlatformConfig, work: (client: cassandra.Client) => Promise<T>): Promise<T> {
  const client = createCassandraClient(config);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.shutdown();
  }
}

/**
 * Applies the tenants folder to the stage (idempotent): registry, keyspaces,
 * RabbitMQ, the tenants' stream queues, and on AWS the stream function's event
 * sources (locally the offline pollers follow the registry by themselves).
 */
async function provision(options: GlobalOptions): Promise<void> {
  const { config, local } = configOf(options);
  const definitions = await new TenantDirectory(options.tenantsDir).definitions();
  await withCassandra(config, (client) =>
    provisionPlatform(
      config,
      definitions,
      {
        cassandra: client,
        aws: local ? { s3: createS3Client(config), sqs: createSqsClient(config) } : undefined,
        streams: local ? undefined : { sqs: createSqsClient(config), lambda: createLambdaClient(config) },
        rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
      },
      (step) => say(`  ${step}`),
    ),
  );
}

async function newCredentials(id: string, passwordEnv: string): Promise<{ passwordHash: string; amqpSecret: string }> {
  const password = await readSecret(passwordEnv, `Password for tenant ${id}: `);
  if (password.length < 12) throw new InvalidArgumentError('a tenant password has at least 12 characters');
  return { passwordHash: await hashPassword(password), amqpSecret: generateAmqpSecret() };
}

function showAmqpSecret(id: string, secret: string, options: GlobalOptions): void {
  const user = tenantAmqpUser(configOf(options).config.amqp.vhost, id);
  say(
    `AMQP secret of tenant ${id} (shown once; give it to the tenant for ingestmessage --amqp, or for another AMQP client as the secret of user ${user}): ${secret}`,
  );
}

const program = new Command('tenants')
  .description("The operator's tool: add, list, re-password, disable, remove and provision tenants; list and redrive their dead letters.")
  .option('--stage <stage>', 'local, test and bench use the local cloud; any other stage reads its configuration from the environment', 'local')
  .option('--tenants-dir <path>', 'the tenants folder', resolve('tenants'))
  .showHelpAfterError();

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

/** A profile's limits in a few words: "2 chunk invocations, 5000 rows/s", the platform's total where none is set. */
function describeLimits(limits: TenantProfile['limits'], chunkConcurrency: number): string {
  return [
    `${chunkInvocationLimit({ limits }, chunkConcurrency)} chunk invocations`,
    ...(limits.rowsPerSecond ? [`${limits.rowsPerSecond} rows/s`] : []),
    ...(limits.streamMessagesPerSecond ? [`${limits.streamMessagesPerSecond} messages/s`] : []),
  ].join(', ');
}
const number = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('a whole number');
  return parsed;
};

program
  .command('list')
  .description("the tenants of the folder, their limits, whether the stage has them registered, and each one's share of the chunk invocations")
  .action(async () => {
    const options = globals();
    const tenants = await new TenantDirectory(options.tenantsDir).list();
    const { config } = configOf(options);
    const registered = await withCassandra(
      config,
      async (client) => new Set((await new CassandraTenantRegistry(client, new Topology(config).platformKeyspace, 0).list().catch(() => [])).map((t) => t.id)),
    ).catch(() => undefined);
    const shares = new ChunkShares(createSqsClient(config), new Topology(config), config.batch.chunkConcurrency);
    const table = new Table({
      style: { head: [], border: [] },
      head: [
        'tenant',
        'status',
        'keyspace',
        'max file',
        'files/batch',
        'formats',
        'limits',
        `registered (${options.stage})`,
        'chunk invocations / limit, queued',
      ],
    });
    for (const { id, profile } of tenants) {
      const isRegistered = registered === undefined ? 'unknown (Cassandra down)' : registered.has(id) ? 'yes' : 'no';
      const share = registered?.has(id) ? await shares.of(id, profile) : null;
      table.push([
        id,
        profile.status,
        profile.keyspace,
        profile.batch.maxFileSize.text,
        profile.batch.maxFilesPerBatch,
        profile.batch.allowedFormats.join(', '),
        describeLimits(profile.limits, config.batch.chunkConcurrency),
        isRegistered,
        share ? `${share.inFlight} / ${share.limit}, ${share.queued} queued` : '-',
      ]);
    }
    say(table.toString());
  });

program
  .command('add <tenant>')
  .description('create tenants/<tenant>/ (profile and hashed credentials) and provision it')
  .requiredOption('--display-name <text>', 'who the tenant is')
  .option('--keyspace <name>', 'its Cassandra keyspace (default tenant_<tenant>)')
  .option('--max-file-size <size>', 'largest file, with a unit', '10 MiB')
  .option('--max-files-per-batch <n>', 'files per batch', number, 10)
  .option('--formats <list>', `allowed formats, of ${FILE_FORMATS.join(', ')}`, 'csv,json,ndjson')
  .option('--max-uncompressed-size <size>', 'the most a compressed file may unpack to, with a unit (default: 10 times the largest file)')
  .option('--max-bad-rows <n>', 'bad rows tolerated per file', number, 0)
  .option('--daily-max-files <n>', 'daily quota of files', number)
  .option('--daily-max-bytes <size>', 'daily quota of bytes, with a unit')
  .option('--stream-batch-size <n>', 'messages per stream-ingest invocation', number, 100)
  .option('--max-chunk-invocations <n>', "chunk invocations its files may hold at once (default: the platform's total)", number)
  .option('--max-rows-per-second <n>', 'rows per second written for its files, across invocations', number)
  .option('--max-messages-per-second <n>', 'stream messages per second written for it, across invocations', number)
  .option('--password-env <variable>', 'environment variable with the password (else prompted)', 'MYSIMBDP_NEW_PASSWORD')
  .option('--no-provision', 'only write the files')
  .action(async (tenant: string, flags: Record<string, string | number | boolean | undefined>) => {
    const options = globals();
    const id = assertTenantId(tenant);
    const directory = new TenantDirectory(options.tenantsDir);
    if (await directory.get(id)) throw new InvalidArgumentError(`tenant ${id} already exists in ${directory.folderOf(id)}`);
    const profile: TenantProfileInput = {
      $schema: '../profile.schema.json',
      tenant: id,
      displayName: String(flags.displayName),
      status: 'active',
      keyspace: String(flags.keyspace ?? `tenant_${id}`),
      batch: {
        maxFileSize: String(flags.maxFileSize),
        maxFilesPerBatch: Number(flags.maxFilesPerBatch),
        allowedFormats: String(flags.formats)
          .split(',')
          .map((f) => f.trim()) as TenantProfileInput['batch']['allowedFormats'],
        maxBadRows: Number(flags.maxBadRows),
        ...(flags.maxUncompressedSize !== undefined ? { maxUncompressedSize: String(flags.maxUncompressedSize) } : {}),
        ...(flags.dailyMaxFiles !== undefined || flags.dailyMaxBytes !== undefined
          ? {
              dailyQuota: {
                ...(flags.dailyMaxFiles !== undefined ? { maxFiles: Number(flags.dailyMaxFiles) } : {}),
                ...(flags.dailyMaxBytes !== undefined ? { maxBytes: String(flags.dailyMaxBytes) } : {}),
              },
            }
          : {}),
      },
      stream: { batchSize: Number(flags.streamBatchSize), batchWindowSeconds: 1, maxReceiveCount: 3, maxMessageSize: '256 KiB' },
      limits: {
        ...(flags.maxChunkInvocations !== undefined ? { chunkInvocations: Number(flags.maxChunkInvocations) } : {}),
        ...(flags.maxRowsPerSecond !== undefined ? { rowsPerSecond: Number(flags.maxRowsPerSecond) } : {}),
        ...(flags.maxMessagesPerSecond !== undefined ? { streamMessagesPerSecond: Number(flags.maxMessagesPerSecond) } : {}),
      },
    };
    const checked = TenantProfileSchema.safeParse(profile);
    if (!checked.success) {
      throw new InvalidArgumentError(checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
    }
    const { passwordHash, amqpSecret } = await newCredentials(id, String(flags.passwordEnv));
    await directory.writeProfile(id, profile);
    await directory.writeCredentials(id, { passwordHash, amqp: { hashingAlgorithm: RABBIT_HASHING_ALGORITHM, passwordHash: rabbitPasswordHash(amqpSecret) } });
    say(`tenant ${id}: wrote ${directory.folderOf(id)}/profile.json and credentials.json (hashed)`);
    showAmqpSecret(id, amqpSecret, options);
    if (flags.provision !== false) await provision(options);
  });

program
  .command('replication <tenant> <copies>')
  .description(
    "set the copies of a tenant's keyspace in each data center: writes its profile, alters the keyspace (never more copies than nodes); a repair must follow for the rows already written",
  )
  .option('--repair', 'then run that repair on the local cluster (nodetool repair --full -pr <keyspace> on every node)')
  .action(async (tenant: string, copies: string, flags: { repair?: boolean }) => {
    const options = globals();
    const directory = new TenantDirectory(options.tenantsDir);
    const definition = (await directory.definitions()).find((candidate) => candidate.tenant.id === assertTenantId(tenant));
    if (!definition) throw new InvalidArgumentError(`no tenant ${tenant} in ${options.tenantsDir}`);
    const checked = TenantProfileSchema.safeParse({ ...definition.profileInput, replicationFactor: Number(copies) });
    if (!checked.success) throw new InvalidArgumentError(`replication: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
    const { config } = configOf(options);
    const keyspace = new Topology(config).tenantKeyspace(checked.data);
    const replication = tenantReplication(config, checked.data);
    await withCassandra(config, (client) => alterReplication(client, keyspace, replication, `tenant ${tenant}'s keyspace ${keyspace}`));
    await directory.writeProfile(definition.tenant.id, { ...definition.profileInput, replicationFactor: Number(copies) });
    await provision(options);
    const described = Object.entries(replication)
      .map(([center, count]) => `${count} in ${center}`)
      .join(', ');
    say(`tenant ${tenant}: keyspace ${keyspace} now keeps ${described}.`);
    if (!flags.repair) {
      say(
        `The rows written before reach their new replicas by a repair: run \`nodetool repair --full ${keyspace}\` on every node (locally: \`npm run localcloud -- nodetool -- repair --full ${keyspace}\`), or run this again with --repair.`,
      );
      return;
    }
    // Each node repairs the ranges it is primary for (-pr): every range once. Through the local cloud's own command,
    // so that the operator's tool does not reach into the local cloud's code.
    for (let node = 1; node <= config.cassandra.contactPoints.length; node += 1) {
      const args = ['run', '--silent', 'localcloud', '--', 'nodetool', '--node', String(node), '--', 'repair', '--full', '-pr', keyspace];
      const repair = spawnSync('npm', args, { stdio: 'inherit' });
      if (repair.status !== 0)
        throw new Error(`the repair of ${keyspace} on node ${node} failed (exit ${repair.status}); run it again with \`npm ${args.join(' ')}\``);
    }
    say(`repaired ${keyspace} on ${config.cassandra.contactPoints.length} node(s)`);
  });

program
  .command('set-password <tenant>')
  .description("set or rotate the tenant's API password")
  .option('--password-env <variable>', 'environment variable with the password (else prompted)', 'MYSIMBDP_NEW_PASSWORD')
  .action(async (tenant: string, flags: { passwordEnv: string }) => {
    const options = globals();
    const directory = new TenantDirectory(options.tenantsDir);
    const current = await directory.get(assertTenantId(tenant));
    if (!current) throw new InvalidArgumentError(`no tenant ${tenant} in ${options.tenantsDir}`);
    const { passwordHash } = await newCredentials(current.id, flags.passwordEnv);
    await directory.writeCredentials(current.id, { ...current.credentials, passwordHash });
    say(`tenant ${current.id}: password changed`);
    await provision(options);
  });

program
  .command('rotate-amqp-secret <tenant>')
  .description("replace the tenant's AMQP secret (the old one stops working)")
  .action(async (tenant: string) => {
    const options = globals();
    const directory = new TenantDirectory(options.tenantsDir);
    const current = await directory.get(assertTenantId(tenant));
    if (!current) throw new InvalidArgumentError(`no tenant ${tenant} in ${options.tenantsDir}`);
    const secret = generateAmqpSecret();
    await directory.writeCredentials(current.id, {
      ...current.credentials,
      amqp: { hashingAlgorithm: RABBIT_HASHING_ALGORITHM, passwordHash: rabbitPasswordHash(secret) },
    });
    showAmqpSecret(current.id, secret, options);
    await provision(options);
  });

for (const [command, status] of [
  ['disable', 'disabled'],
  ['enable', 'active'],
] as const) {
  program
    .command(`${command} <tenant>`)
    .description(status === 'disabled' ? "refuse the tenant's logins, uploads and messages (data is kept)" : 'serve a disabled tenant again')
    .action(async (tenant: string) => {
      const options = globals();
      const directory = new TenantDirectory(options.tenantsDir);
      const id = assertTenantId(tenant);
      if (!(await directory.get(id))) throw new InvalidArgumentError(`no tenant ${id} in ${options.tenantsDir}`);
      await directory.writeProfile(id, { ...(await directory.readProfileInput(id)), status });
      say(`tenant ${id}: ${status}`);
      await provision(options);
    });
}

program
  .command('remove <tenant>')
  .description('take the tenant off the stage and delete its folder; its data stays unless --purge-data')
  .option('--purge-data', "also drop the tenant's keyspace")
  .action(async (tenant: string, flags: { purgeData?: boolean }) => {
    const options = globals();
    const directory = new TenantDirectory(options.tenantsDir);
    const current = await directory.get(assertTenantId(tenant));
    if (!current) throw new InvalidArgumentError(`no tenant ${tenant} in ${options.tenantsDir}`);
    const { config, local } = configOf(options);
    const done = await withCassandra(config, (client) =>
      deprovisionTenant(
        current,
        config,
        {
          cassandra: client,
          rabbit: new RabbitMqAdmin(config.amqp.managementUrl, config.amqp.adminUsername, config.amqp.adminPassword),
          sqs: createSqsClient(config),
          lambda: local ? undefined : createLambdaClient(config),
        },
        { purgeData: Boolean(flags.purgeData) },
      ),
    );
    await directory.remove(current.id);
    for (const step of [...done, `${directory.folderOf(current.id)} deleted`]) say(`  ${step}`);
  });

/** The tenants a command names: the one given, or every registered tenant of the stage. */
async function chosenTenants(config: PlatformConfig, tenant: string | undefined): Promise<string[]> {
  if (tenant) return [assertTenantId(tenant)];
  return withCassandra(config, async (client) => (await new CassandraTenantRegistry(client, new Topology(config).platformKeyspace, 0).list()).map((t) => t.id));
}

program
  .command('dead-letters [tenant]')
  .description("per tenant, the batch, chunk and stream dead-letter queues: count, oldest, and why (the messages' reasons)")
  .option('--json', 'print JSON')
  .action(async (tenant: string | undefined, flags: { json?: boolean }) => {
    const { config } = configOf(globals());
    const tenants = await chosenTenants(config, tenant);
    const listing = await new DeadLetters(createSqsClient(config), new Topology(config)).list(tenants);
    if (flags.json) return say(JSON.stringify(Object.fromEntries(listing), null, 2));
    const table = new Table({
      style: { head: [], border: [] },
      head: ['tenant', 'queue', 'dead letters', 'oldest', 'reasons'],
      wordWrap: true,
      colWidths: [12, 36, 14, 26, 70],
    });
    for (const [id, summaries] of listing) {
      for (const summary of summaries) {
        table.push([
          id,
          summary.queue,
          `${summary.count}${summary.complete ? '' : '+'}`,
          summary.oldest ?? '',
          summary.reasons
            .slice(0, 3)
            .map(({ reason, count }) => `${count} × ${reason}`)
            .join('\n'),
        ]);
      }
    }
    say(table.toString());
  });

program
  .command('redrive [tenant]')
  .description("move a tenant's dead letters back to the queues they died on, to be tried again from the start")
  .option('--all', 'every registered tenant')
  .option('--batch', 'only the batch notifications and chunk tasks')
  .option('--stream', 'only the stream messages')
  .option('--dry-run', 'only count what would move')
  .action(async (tenant: string | undefined, flags: { all?: boolean; batch?: boolean; stream?: boolean; dryRun?: boolean }) => {
    if (Boolean(tenant) === Boolean(flags.all)) throw new InvalidArgumentError('name a tenant, or --all');
    const { config } = configOf(globals());
    const tenants = await chosenTenants(config, tenant);
    const kinds: DeadLetterKind[] = flags.batch === flags.stream ? ['batch', 'chunks', 'stream'] : flags.batch ? ['batch', 'chunks'] : ['stream'];
    const outcomes = await new DeadLetters(createSqsClient(config), new Topology(config)).redrive(tenants, kinds, { dryRun: Boolean(flags.dryRun) });
    for (const outcome of outcomes) {
      if (outcome.moved || tenant)
        say(
          `${outcome.tenant}: ${outcome.moved} ${outcome.kind} dead letter${outcome.moved === 1 ? '' : 's'} ${flags.dryRun ? 'would move' : 'moved'} from ${outcome.queue}`,
        );
    }
    say(`${outcomes.reduce((sum, outcome) => sum + outcome.moved, 0)} dead letters ${flags.dryRun ? 'would be redriven (dry run)' : 'redriven'}`);
  });

program
  .command('provision')
  .description(
    "apply the tenants folder to the stage: registry, keyspaces, RabbitMQ users and queues, SQS queues, and on AWS the stream function's event sources",
  )
  .action(async () => {
    say(`provisioning stage ${globals().stage} from ${globals().tenantsDir}`);
    await provision(globals());
  });

program.parseAsync().catch((error: Error) => {
  console.error(`tenants: ${error.message}`);
  process.exit(error instanceof InvalidArgumentError ? 2 : 1);
});
