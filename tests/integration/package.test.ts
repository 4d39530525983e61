import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageStack } from '../../localstack/deployCheck/packageStack';
import { withoutAwsVariables } from '../../localstack/process/withoutAwsVariables';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };

describe('serverless package (for `serverless deploy`)', () => {
  let template: { Resources: Record<string, Resource> };
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mysimbdp-package-'));
    // No AWS credentials, no LocalStack: what a CI job without an AWS account has.
    const env = Object.fromEntries(Object.entries(withoutAwsVariables()).filter(([name]) => !name.startsWith('MYSIMBDP_')));
    // A dashboard served from another origin than the API's (none by default: see tests/unit/allowedOrigins.test.ts).
    template = (await packageStack('ci', folder, { ...env, MYSIMBDP_ALLOWED_ORIGINS: 'https://dashboard.example.com' })) as typeof template;
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const ofType = (type: string): Array<[string, Resource]> => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

  it('has the ingest bucket, notifying the batch-ingest queue of uploads under tenants/', () => {
    const bucket = template.Resources.IngestBucket as Resource;
    const notifications = (bucket.Properties.NotificationConfiguration as { QueueConfigurations: Array<Record<string, unknown>> }).QueueConfigurations;
    expect(notifications.map((n) => n.Event)).toEqual(['s3:ObjectCreated:Post', 's3:ObjectCreated:Put', 's3:ObjectCreated:CompleteMultipartUpload']);
    for (const notification of notifications) {
      expect(notification.Queue).toEqual({ 'Fn::GetAtt': ['BatchIngestQueue', 'Arn'] });
      expect(notification.Filter).toEqual({ S3Key: { Rules: [{ Name: 'prefix', Value: 'tenants/' }] } });
    }
    expect(ofType('AWS::SQS::QueuePolicy').map(([id]) => id)).toEqual(['BatchIngestQueuePolicy']);
    // Versions: what is being ingested cannot be changed under it by a replayed upload.
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('has the batch-ingest queue with its dead-letter queue and redrive, and no tenant queue (tenants are provisioned at runtime)', () => {
    const queues = Object.fromEntries(ofType('AWS::SQS::Queue'));
    expect(Object.values(queues).map((queue) => String(queue.Properties.QueueName))).toEqual(['mysimbdp-ci-batch-ingest-dlq', 'mysimbdp-ci-batch-ingest']);
    for (const [id, name] of [['BatchIngestQueue', 'mysimbdp-ci-batch-ingest']] as const) {
      expect(queues[id]?.Properties.QueueName).toBe(name);
      expect(queues[`${id}DeadLetter`]?.Properties.QueueName).toBe(`${name}-dlq`);
      expect(queues[id]?.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [`${id}DeadLetter`, 'Arn'] }, maxReceiveCount: 3 });
    }
  });

  it('has the functions on nodejs22.x and their SQS event sources with partial batch failures', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
      'BadRowsLambdaFunction',
      'BatchChunkLambdaFunction',
      'BatchIngestLambdaFunction',
      'DashboardLambdaFunction',
      'HealthLambdaFunction',
      'IngestionsLambdaFunction',
      'LoginLambdaFunction',
      'MessagesLambdaFunction',
      'MetricsLambdaFunction',
      'OperatorLoginLambdaFunction',
      'OperatorTenantStatusLambdaFunction',
      'OperatorTenantsLambdaFunction',
      'ProfileLambdaFunction',
      'StreamIngestLambdaFunction',
      'StreamReportLambdaFunction',
      'UploadsLambdaFunction',
    ]);
    for (const [, fn] of functions) expect(fn.Properties.Runtime).toBe('nodejs22.x');
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, mapping]) => mapping.Properties);
    for (const mapping of mappings) expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    // The stream and chunk functions' event sources (a tenant queue each) are made by `tenants provision` from the registry, not by the stack.
    expect(mappings.map((m) => (m.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort()).toEqual(['BatchIngestQueue']);
    // The chunk invocations of all tenants together are bounded: the cluster is sized for them.
    expect((template.Resources.BatchChunkLambdaFunction as Resource).Properties.ReservedConcurrentExecutions).toBe(4);
    // A batch invocation is one file or one chunk, bounded well inside Lambda's limit.
    for (const [id, fn] of functions.filter(([id]) => id.startsWith('Batch'))) expect({ id, timeout: fn.Properties.Timeout }).toEqual({ id, timeout: 300 });
    expect(ofType('AWS::ApiGatewayV2::Route').length).toBeGreaterThanOrEqual(8);
  });

  it('gives each queue a visibility timeout derived from the timeout of the function that reads it', () => {
    const timeout = (id: string): unknown => (template.Resources[id] as Resource).Properties.Timeout;
    for (const id of ['BatchIngest'])
      expect((template.Resources[`${id}Queue`] as Resource).Properties.VisibilityTimeout).toBe(2 * Number(timeout(`${id}LambdaFunction`)));
    expect(timeout('StreamIngestLambdaFunction')).toBe(30);
    // The HTTP functions answer within the 30 s the HTTP API waits.
    expect(timeout('LoginLambdaFunction')).toBe(29);
  });

  it("lets the functions use and poll every tenant's stream and chunk queues of the stage", () => {
    const statements = JSON.stringify(ofType('AWS::IAM::Role').map(([, role]) => role.Properties.Policies));
    expect(statements).toContain('arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:mysimbdp-ci-stream-*');
    expect(statements).toContain('arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:mysimbdp-ci-chunks-*');
    expect(statements).toContain('sqs:ReceiveMessage');
  });

  it('lets browsers call the HTTP API from the configured origins only, without credentials', () => {
    const [[, api]] = ofType('AWS::ApiGatewayV2::Api') as [[string, Resource]];
    expect(api.Properties.CorsConfiguration).toEqual({
      AllowOrigins: ['https://dashboard.example.com'],
      AllowMethods: ['GET', 'POST'],
      AllowHeaders: ['Content-Type', 'Authorization'],
      ExposeHeaders: ['Retry-After'],
      MaxAge: 600,
    });
  });

  it("lets the dashboard, served by the stack's HTTP API, POST uploads to the bucket, and gives the operator's secrets to the operator functions only", () => {
    const cors = (template.Resources.IngestBucket as Resource).Properties.CorsConfiguration as { CorsRules: Array<Record<string, unknown>> };
    expect(cors.CorsRules).toEqual([
      expect.objectContaining({
        AllowedOrigins: [{ 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.amazonaws.com' }],
        AllowedMethods: ['POST'],
      }),
    ]);
    const holders = (variable: string): string[] =>
      ofType('AWS::Lambda::Function')
        .filter(([, fn]) => variable in ((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables ?? {}))
        .map(([id]) => id);
    expect(holders('MYSIMBDP_OPERATOR_PASSWORD')).toEqual(['OperatorLoginLambdaFunction']);
    expect(holders('RABBITMQ_ADMIN_PASSWORD')).toEqual(['OperatorTenantStatusLambdaFunction']);
    const operatorPassword = (template.Resources.OperatorLoginLambdaFunction as Resource).Properties.Environment as { Variables: Record<string, unknown> };
    expect(operatorPassword.Variables.MYSIMBDP_OPERATOR_PASSWORD).toBe('{{resolve:secretsmanager:mysimbdp/ci:SecretString:operatorPassword}}');
  });

  it('passes cfn-lint with no errors', () => {
    const lint = spawnSync('.localcloud/venv/bin/cfn-lint', ['--format', 'parseable', join(folder, 'cloudformation-template-update-stack.json')], {
      encoding: 'utf8',
    });
    const errors = lint.stdout.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
    expect(lint.status === null ? -1 : lint.status & 2).toBe(0);
  });
});
