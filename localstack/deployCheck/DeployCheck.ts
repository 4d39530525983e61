import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import {
  GetBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, GetQueueAttributesCommand, ListQueuesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadPlatformConfig, provisionStorage, Topology } from '../../layers/platform/src';
import { repoRoot } from '../paths';
import { LocalStackService, type LocalStackInstance } from '../services/LocalStackService';
import { deployableTemplate, type CfnResource, type DeployableTemplate } from './deployableTemplate';
import { withoutAwsVariables } from '../process/withoutAwsVariables';
import { packageStack } from './packageStack';

/**
 * The second LocalStack the stack is deployed into: CloudFormation and what the
 * stack's resources need, on its own port with data of its own, beside the
 * local cloud's (4566), which it leaves alone.
 */
export const DEPLOY_CHECK_LOCALSTACK: LocalStackInstance = {
  name: 'localstack-deploy',
  port: 4599,
  services: ['cloudformation', 'iam', 'sts', 's3', 'sqs', 'logs', 'secretsmanager'],
};

/** One check of the deployed stack; no problems means it passed. */
export interface DeployCheckResult {
  readonly name: string;
  readonly problems: string[];
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
/** How long a condition is waited for (a notification, a dead letter). */
const WAIT_MS = 30_000;

interface DeployedStack {
  readonly bucket: string;
  /** Physical id of each resource, by logical id. */
  readonly resources: ReadonlyMap<string, StackResourceSummary>;
  readonly batchIngestQueueUrl: string;
}

/** A lifecycle rule as S3 spells it (ID) or as CloudFormation does (Id). */
interface LifecycleRule {
  ID?: string;
  Id?: string;
  Status?: string;
  Prefix?: string;
  Filter?: { Prefix?: string };
  NoncurrentVersionExpiration?: { NoncurrentDays?: number };
  AbortIncompleteMultipartUpload?: { DaysAfterInitiation?: number };
  Expiration?: { Days?: number };
  ExpirationInDays?: number;
}

interface QueueDescription {
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

function sorted<T>(items: T[]): T[] {
  return items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** JSON with every object's keys sorted: two documents compare equal whatever order their keys came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}

function queueName(url: string): string {
  return url.split('/').pop() as string;
}

/** `{{resolve:secretsmanager:<secret>:SecretString:<key>}}` taken apart. */
function secretReference(reference: string): { secret: string; key: string } {
  const [secret, , key] = reference.slice('{{resolve:secretsmanager:'.length, -2).split(':');
  return { secret: secret ?? '', key: key ?? '' };
}

/**
 * Deploys the packaged stack into a second LocalStack with CloudFormation and
 * exercises what was deployed: what `npm run deploy:check` and
 * tests/integration/deployCheck.test.ts run.
 *
 * `setUp` starts that LocalStack (port 4599, data under
 * `.localcloud/data/localstack-deploy`), puts the stage's secret into its
 * Secrets Manager as an operator would, runs `serverless package`, sets the
 * function resources aside (see `deployableTemplate`), creates the stack
 * with CloudFormation and waits for CREATE_COMPLETE, and provisions the same
 * topology under another stage with the project's own provisioning code, to
 * compare. Each of `checks` then returns its problems. `tearDown` stops the
 * LocalStack and deletes its data, whatever happened before.
 *
 * @example
 * const check = new DeployCheck(console.log);
 * try { await check.setUp(); for (const c of check.checks) console.log(c.name, await c.run()); } finally { await check.tearDown(); }
 */
export class DeployCheck {
  readonly stage = 'deploycheck';
  /** The stage the project's provisioning code makes, to compare with. */
  readonly provisionedStage = 'provisioned';
  readonly stackName = `mysimbdp-${this.stage}`;
  readonly localstack = new LocalStackService(DEPLOY_CHECK_LOCALSTACK);
  private readonly clientConfig = {
    region: REGION,
    endpoint: this.localstack.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  private readonly cloudFormation = new CloudFormationClient(this.clientConfig);
  private readonly s3 = new S3Client({ ...this.clientConfig, forcePathStyle: true });
  private readonly sqs = new SQSClient(this.clientConfig);
  private readonly secretsManager = new SecretsManagerClient(this.clientConfig);
  private readonly environment: NodeJS.ProcessEnv;
  private folder: string | undefined;
  private ownsLocalStack = false;
  private stored: Record<string, string> = {};
  private deployable: DeployableTemplate | undefined;
  private stack: DeployedStack | undefined;
  /** What the checks could only compare in part, and why: for the summary. */
  readonly notes: string[] = [];
  /** The deployed stage's topology, as `serverless package` rendered it. */
  readonly topology: Topology;
  private readonly provisionedTopology: Topology;

  /** `env`: the environment `serverless deploy` would run in (the stack's settings); AWS_* variables are ignored. */
  constructor(
    private readonly progress: (message: string) => void = () => undefined,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.environment = { ...withoutAwsVariables(env), MYSIMBDP_INGEST_BUCKET: undefined };
    this.topology = new Topology(loadPlatformConfig({ ...this.environment, MYSIMBDP_STAGE: this.stage }));
    this.provisionedTopology = new Topology(
      loadPlatformConfig({ ...this.environment, MYSIMBDP_STAGE: this.provisionedStage, AWS_ENDPOINT_URL: this.localstack.endpoint }),
    );
  }

  /** What was set aside from the stack and stood in for, for the summary. */
  get deployed(): DeployableTemplate | undefined {
    return this.deployable;
  }

  async setUp(): Promise<void> {
    const running = this.localstack.runningPid();
    if (running) {
      throw new Error(
        `a deploy check's LocalStack already runs on ${this.localstack.endpoint} (pid ${running}): another deploy check is running, or one was killed; wait for it, or stop it with \`kill -TERM -${running}\``,
      );
    }
    // From here on, what runs as this LocalStack is this check's own: tearDown stops it.
    this.ownsLocalStack = true;
    rmSync(this.localstack.dataFolder, { recursive: true, force: true });
    rmSync(this.localstack.logFile, { force: true });
    this.folder = await mkdtemp(join(tmpdir(), 'mysimbdp-deploy-check-'));
    // The dashboard function bundles the built page.
    const build = spawnSync(process.execPath, [join(repoRoot, 'clients', 'buildBins.mjs')], { cwd: repoRoot, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building the dashboard failed:\n${build.stdout}${build.stderr}`);

    this.progress(
      `starting LocalStack (${DEPLOY_CHECK_LOCALSTACK.services.join(', ')}) on ${this.localstack.endpoint}; packaging the stack (serverless package --stage ${this.stage})`,
    );
    const begin = Date.now();
    const [packaged] = await Promise.all([packageStack(this.stage, this.folder, this.environment), this.localstack.start()]);
    this.progress(`packaged and LocalStack serving in ${Math.round((Date.now() - begin) / 1000)} s`);

    const deployable = deployableTemplate(packaged);
    this.deployable = deployable;
    this.progress(
      `set aside ${deployable.setAside.length} function resources (${this.setAsideTypes().join(', ')}); ${Object.keys(deployable.template.Resources).length} resources to deploy`,
    );
    for (const standIn of deployable.standIns)
      this.progress(`  ${standIn.resource} refers to ${standIn.setAside}, set aside: "${standIn.placeholder}" stands in for it`);

    // The operator's step before a deploy: the stage's secret, with every key the stack resolves.
    const keys = [...new Set(deployable.secretReferences.map((reference) => secretReference(reference).key))];
    this.stored = Object.fromEntries(keys.map((key) => [key, randomBytes(24).toString('base64url')]));
    await this.secretsManager.send(new CreateSecretCommand({ Name: `mysimbdp/${this.stage}`, SecretString: JSON.stringify(this.stored) }));
    this.progress(`Secrets Manager: secret mysimbdp/${this.stage} with ${keys.join(', ')}`);

    // What the set-aside functions' environment resolves, carried by stand-in secrets CloudFormation creates.
    const template = structuredClone(deployable.template);
    for (const reference of deployable.secretReferences) {
      const { key } = secretReference(reference);
      template.Resources[`ResolvedSecret${key.charAt(0).toUpperCase()}${key.slice(1)}`] = {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { Name: `${this.stackName}/resolved/${key}`, SecretString: reference },
      };
    }
    const created = Date.now();
    await this.cloudFormation.send(
      new CreateStackCommand({ StackName: this.stackName, TemplateBody: JSON.stringify(template), Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'] }),
    );
    const status = await this.stackStatus();
    if (status !== 'CREATE_COMPLETE') throw new Error(`stack ${this.stackName}: ${status}\n${(await this.failedEvents()).join('\n')}`);
    this.stack = await this.describeStack();
    this.progress(`CloudFormation: stack ${this.stackName} CREATE_COMPLETE in ${((Date.now() - created) / 1000).toFixed(1)} s (bucket ${this.stack.bucket})`);

    await provisionStorage({ s3: this.s3, sqs: this.sqs }, this.provisionedTopology, [], (message) =>
      this.progress(`provisioning code, stage ${this.provisionedStage}: ${message}`),
    );
  }

  private setAsideTypes(): string[] {
    const types = new Map<string, number>();
    // The packaged template is gone once deployed; the set-aside ids name their types well enough.
    for (const id of this.deployable?.setAside ?? []) {
      const kind = /LambdaFunction$/.test(id)
        ? 'functions'
        : /LambdaVersion/.test(id)
          ? 'versions'
          : /EventSourceMapping/.test(id)
            ? 'SQS event sources'
            : /LambdaPermission/.test(id)
              ? 'permissions'
              : 'HTTP API';
      types.set(kind, (types.get(kind) ?? 0) + 1);
    }
    return [...types].map(([kind, count]) => `${count} ${kind}`);
  }

  private async stackStatus(): Promise<string> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const stack = (await this.cloudFormation.send(new DescribeStacksCommand({ StackName: this.stackName }))).Stacks?.[0];
      const status = stack?.StackStatus ?? 'UNKNOWN';
      if (!status.endsWith('_IN_PROGRESS')) return `${status}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}`;
      if (Date.now() > deadline) return `${status} after 120 s`;
      await sleep(500);
    }
  }

  private async failedEvents(): Promise<string[]> {
    const events = (await this.cloudFormation.send(new DescribeStackEventsCommand({ StackName: this.stackName }))).StackEvents ?? [];
    return events.filter((event) => event.ResourceStatus?.endsWith('FAILED')).map((event) => `  ${event.LogicalResourceId}: ${event.ResourceStatusReason}`);
  }

  private async describeStack(): Promise<DeployedStack> {
    const resources = new Map<string, StackResourceSummary>();
    let token: string | undefined;
    do {
      const page = await this.cloudFormation.send(new ListStackResourcesCommand({ StackName: this.stackName, NextToken: token }));
      for (const resource of page.StackResourceSummaries ?? []) resources.set(resource.LogicalResourceId as string, resource);
      token = page.NextToken;
    } while (token);
    const outputs = (await this.cloudFormation.send(new DescribeStacksCommand({ StackName: this.stackName }))).Stacks?.[0]?.Outputs ?? [];
    const output = (key: string): string => {
      const value = outputs.find((candidate) => candidate.OutputKey === key)?.OutputValue;
      if (!value) throw new Error(`stack ${this.stackName} has no output ${key}`);
      return value;
    };
    return {
      bucket: output('IngestBucketName'),
      resources,
      batchIngestQueueUrl: output('BatchIngestQueueUrl'),
    };
  }

  private get deployedStack(): DeployedStack {
    if (!this.stack) throw new Error('the stack was not deployed (setUp failed)');
    return this.stack;
  }

  /** Stops the second LocalStack (if this check started it) and deletes its data and the package, whatever state the run is in; returns whether it stopped it. */
  async tearDown(): Promise<boolean> {
    for (const client of [this.cloudFormation, this.s3, this.sqs, this.secretsManager]) client.destroy();
    const owned = this.ownsLocalStack;
    if (owned) {
      await this.localstack.stop();
      rmSync(this.localstack.dataFolder, { recursive: true, force: true });
      this.ownsLocalStack = false;
    }
    if (this.folder) await rm(this.folder, { recursive: true, force: true });
    return owned;
  }

  readonly checks: ReadonlyArray<{ readonly name: string; readonly run: () => Promise<string[]> }> = [
    {
      name: "an upload under a tenant's incoming/ prefix notifies the batch-ingest queue; one outside the filter does not",
      run: () => this.checkNotifications(),
    },
    { name: 'a message received more than maxReceiveCount times lands in its dead-letter queue', run: () => this.checkDeadLetters() },
    { name: 'the batch-ingest queue admits S3 notifications of the ingest bucket and nothing else', run: () => this.checkQueuePolicy() },
    { name: "the functions' secrets are resolved from Secrets Manager", run: () => this.checkSecrets() },
    { name: 'the deployed resources are what local provisioning makes from the same topology', run: () => this.checkParity() },
  ];

  /** Runs every check, in order. */
  async run(): Promise<DeployCheckResult[]> {
    const results: DeployCheckResult[] = [];
    for (const check of this.checks) {
      const problems = await check.run().catch((error: Error) => [`${error.name}: ${error.message}`]);
      results.push({ name: check.name, problems });
    }
    return results;
  }

  /** Receives (and deletes) what the queue holds until `done` says so or the wait is over; returns the bodies received. */
  private async receiveUntil(queueUrl: string, done: (bodies: readonly string[]) => boolean): Promise<string[]> {
    const bodies: string[] = [];
    const deadline = Date.now() + WAIT_MS;
    while (!done(bodies) && Date.now() < deadline) {
      const reply = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      for (const message of reply.Messages ?? []) {
        bodies.push(message.Body ?? '');
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    return bodies;
  }

  private async checkNotifications(): Promise<string[]> {
    const { bucket, batchIngestQueueUrl } = this.deployedStack;
    const tenant = 'deploycheck';
    const keysIn = (bodies: readonly string[]): Array<{ key: string; event: string; bucket: string }> =>
      bodies.flatMap((body) => {
        const records =
          (JSON.parse(body) as { Records?: Array<{ eventName: string; s3: { bucket: { name: string }; object: { key: string } } }> }).Records ?? [];
        return records.map((record) => ({ key: decodeURIComponent(record.s3.object.key), event: record.eventName, bucket: record.s3.bucket.name }));
      });
    const problems: string[] = [];

    const inside = `${this.topology.incomingPrefix(tenant)}${randomUUID()}.csv`;
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: inside, Body: 'id\n1\n' }));
    const first = keysIn(await this.receiveUntil(batchIngestQueueUrl, (bodies) => keysIn(bodies).some((record) => record.key === inside)));
    const notified = first.find((record) => record.key === inside);
    if (!notified) problems.push(`no notification for s3://${bucket}/${inside} on ${queueName(batchIngestQueueUrl)} within ${WAIT_MS / 1000} s`);
    else if (notified.event !== 'ObjectCreated:Put' || notified.bucket !== bucket) problems.push(`notification for ${inside}: ${JSON.stringify(notified)}`);

    // Outside the filter, then a control inside it: the control arrives, the other never does (SQS keeps no order; both are waited for).
    const outside = `elsewhere/${tenant}/incoming/${randomUUID()}.csv`;
    const control = `${this.topology.incomingPrefix(tenant)}${randomUUID()}.csv`;
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: outside, Body: 'id\n1\n' }));
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: control, Body: 'id\n1\n' }));
    const second = keysIn(await this.receiveUntil(batchIngestQueueUrl, (bodies) => keysIn(bodies).some((record) => record.key === control)));
    if (!second.some((record) => record.key === control)) problems.push(`no notification for the control upload ${control} within ${WAIT_MS / 1000} s`);
    const unexpected = second.filter((record) => record.key !== control).map((record) => record.key);
    if (unexpected.length) problems.push(`notifications for objects outside ${Topology.NOTIFICATION_PREFIX}: ${unexpected.join(', ')}`);
    return problems;
  }

  private async checkDeadLetters(): Promise<string[]> {
    const problems: string[] = [];
    for (const queueUrl of [this.deployedStack.batchIngestQueueUrl]) {
      const attributes = (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }))).Attributes ?? {};
      if (!attributes.RedrivePolicy) {
        problems.push(`${queueName(queueUrl)} has no redrive policy`);
        continue;
      }
      const redrive = JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
      const maxReceiveCount = Number(redrive.maxReceiveCount);
      const deadLetterUrl = queueUrl.replace(/[^/]+$/, redrive.deadLetterTargetArn.split(':').pop() as string);
      const body = JSON.stringify({ deployCheck: randomUUID() });
      await this.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      let receives = 0;
      // Received with no visibility timeout, it comes back at once; past maxReceiveCount SQS moves it instead.
      for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
        const reply = await this.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1, VisibilityTimeout: 0 }));
        const messages = reply.Messages ?? [];
        if (!messages.length && receives) break;
        for (const message of messages) {
          if (message.Body === body) receives++;
          // Anything else is left from an earlier check: out of the way.
          else await this.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
        }
      }
      if (receives !== maxReceiveCount)
        problems.push(`${queueName(queueUrl)}: received ${receives} times before it left the queue, maxReceiveCount is ${maxReceiveCount}`);
      const dead = await this.receiveUntil(deadLetterUrl, (bodies) => bodies.includes(body));
      if (!dead.includes(body)) problems.push(`${queueName(queueUrl)}: the message is not in ${queueName(deadLetterUrl)} within ${WAIT_MS / 1000} s`);
    }
    return problems;
  }

  private async checkQueuePolicy(): Promise<string[]> {
    const { bucket, batchIngestQueueUrl, resources } = this.deployedStack;
    const problems: string[] = [];
    const attributes =
      (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: batchIngestQueueUrl, AttributeNames: ['Policy', 'QueueArn'] }))).Attributes ?? {};
    if (!attributes.Policy) return [`${queueName(batchIngestQueueUrl)} has no policy: S3 could not send it notifications on AWS`];
    const policy = JSON.parse(attributes.Policy) as { Statement?: unknown };
    const statements = Array.isArray(policy.Statement) ? (policy.Statement as Array<Record<string, unknown>>) : [policy.Statement as Record<string, unknown>];
    const expected = {
      Effect: 'Allow',
      Principal: { Service: 's3.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: attributes.QueueArn,
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` }, StringEquals: { 'aws:SourceAccount': ACCOUNT } },
    };
    if (statements.length !== 1) problems.push(`the policy has ${statements.length} statements, expected 1: ${attributes.Policy}`);
    const [statement] = statements;
    const admits = Object.fromEntries(Object.entries(statement ?? {}).filter(([key]) => key !== 'Sid'));
    if (canonical(admits) !== canonical(expected)) problems.push(`the policy admits ${canonical(admits)}, expected exactly ${canonical(expected)}`);
    // The stack's other queues take no message from outside the account.
    for (const [id, resource] of resources) {
      if (resource.ResourceType !== 'AWS::SQS::Queue' || resource.PhysicalResourceId === batchIngestQueueUrl) continue;
      const other =
        (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: resource.PhysicalResourceId, AttributeNames: ['Policy'] }))).Attributes ?? {};
      if (other.Policy) problems.push(`${id} has a policy too: ${other.Policy}`);
    }
    return problems;
  }

  private async checkSecrets(): Promise<string[]> {
    const references = this.deployable?.secretReferences ?? [];
    if (!references.length) return ['the set-aside functions refer to no secret: their environment would hold secrets in plain text'];
    const problems: string[] = [];
    for (const reference of references) {
      const { secret, key } = secretReference(reference);
      if (secret !== `mysimbdp/${this.stage}`) problems.push(`${reference} names secret ${secret}, not mysimbdp/${this.stage}`);
      const resolved = await this.secretsManager.send(new GetSecretValueCommand({ SecretId: `${this.stackName}/resolved/${key}` })).then(
        (reply) => reply.SecretString,
        (error: Error) => `(unreadable: ${error.message})`,
      );
      if (resolved !== this.stored[key]) problems.push(`${reference} resolved to ${resolved === reference ? 'itself (not resolved)' : 'another value'}`);
    }
    return problems;
  }

  /** A name or document with each stage's names spelt the same: `mysimbdp-<stage>-...`, the bucket without its account and region. */
  private normalise(text: string): string {
    let result = text.replaceAll(`mysimbdp-${this.stage}-ingest-${ACCOUNT}-${REGION}`, `mysimbdp-${this.stage}-ingest`);
    for (const stage of [this.stage, this.provisionedStage]) result = result.replaceAll(`mysimbdp-${stage}-`, 'mysimbdp-<stage>-');
    return result;
  }

  private async describeQueues(prefix: string): Promise<Map<string, QueueDescription>> {
    const urls = (await this.sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix }))).QueueUrls ?? [];
    const queues = new Map<string, QueueDescription>();
    for (const url of urls) {
      const raw = (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes ?? {};
      const attributes: Record<string, unknown> = {};
      for (const name of [
        'VisibilityTimeout',
        'MessageRetentionPeriod',
        'DelaySeconds',
        'MaximumMessageSize',
        'ReceiveMessageWaitTimeSeconds',
        'FifoQueue',
      ] as const) {
        attributes[name] = raw[name];
      }
      if (raw.RedrivePolicy) {
        const redrive = JSON.parse(raw.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
        attributes.RedrivePolicy = { target: this.normalise(redrive.deadLetterTargetArn), maxReceiveCount: Number(redrive.maxReceiveCount) };
      }
      if (raw.Policy) attributes.Policy = JSON.parse(this.normalise(raw.Policy)) as unknown;
      const name = this.normalise(queueName(url));
      queues.set(name, { name, attributes });
    }
    return queues;
  }

  private async describeBucket(bucket: string, declared?: CfnResource): Promise<Record<string, unknown>> {
    const notification = await this.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    const notifications = sorted(
      (notification.QueueConfigurations ?? []).flatMap((configuration) =>
        (configuration.Events ?? []).map((event) => ({
          event,
          queue: this.normalise(configuration.QueueArn ?? ''),
          filter: sorted((configuration.Filter?.Key?.FilterRules ?? []).map((rule) => ({ name: String(rule.Name).toLowerCase(), value: rule.Value }))),
        })),
      ),
    );
    const versioning = (await this.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status;
    const rules = (found: readonly LifecycleRule[]): unknown[] =>
      sorted(
        found.map((rule) => ({
          id: rule.ID ?? rule.Id,
          status: rule.Status,
          prefix: rule.Filter?.Prefix ?? rule.Prefix ?? '',
          noncurrentDays: rule.NoncurrentVersionExpiration?.NoncurrentDays,
          abortIncompleteDays: rule.AbortIncompleteMultipartUpload?.DaysAfterInitiation,
          expirationDays: rule.Expiration?.Days ?? rule.ExpirationInDays,
        })),
      );
    let lifecycle = await this.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })).then(
      (reply) => rules(reply.Rules ?? []),
      (error: Error) => `(none: ${error.name})`,
    );
    if (typeof lifecycle === 'string' && declared) {
      // LocalStack's CloudFormation creates the bucket without its lifecycle rules (AWS applies them): compare what the stack declares.
      const declaredRules = (declared.Properties?.LifecycleConfiguration as { Rules?: LifecycleRule[] } | undefined)?.Rules;
      if (declaredRules) {
        lifecycle = rules(declaredRules);
        this.notes.push("bucket lifecycle rules: compared as the stack declares them (LocalStack's CloudFormation does not apply them)");
      }
    }
    return { name: this.normalise(bucket), notifications, versioning, lifecycle };
  }

  private async checkParity(): Promise<string[]> {
    const problems: string[] = [];
    const deployed = await this.describeQueues(`mysimbdp-${this.stage}-`);
    const provisioned = await this.describeQueues(`mysimbdp-${this.provisionedStage}-`);
    for (const name of [...new Set([...deployed.keys(), ...provisioned.keys()])].sort()) {
      const ours = deployed.get(name);
      const theirs = provisioned.get(name);
      if (!ours || !theirs) {
        problems.push(`queue ${name}: ${ours ? 'deployed' : 'provisioned'} only`);
        continue;
      }
      for (const attribute of [...new Set([...Object.keys(ours.attributes), ...Object.keys(theirs.attributes)])].sort()) {
        const a = canonical(ours.attributes[attribute]);
        const b = canonical(theirs.attributes[attribute]);
        if (a !== b) problems.push(`queue ${name} ${attribute}: deployed ${a}, provisioned ${b}`);
      }
    }
    if (!deployed.size) problems.push('no deployed queue');
    const bucketDeployed = await this.describeBucket(this.deployedStack.bucket, this.deployable?.template.Resources.IngestBucket);
    const bucketProvisioned = await this.describeBucket(this.provisionedTopology.ingestBucket);
    for (const field of Object.keys(bucketDeployed)) {
      const a = canonical(bucketDeployed[field]);
      const b = canonical(bucketProvisioned[field]);
      if (a !== b) problems.push(`bucket ${field}: deployed ${a}, provisioned ${b}`);
    }
    return problems;
  }
}
