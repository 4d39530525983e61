import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown };

describe('serverless package (for `serverless deploy`)', () => {
  let template: { Resources: Record<string, Resource> };
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'mysimbdp-package-'));
    // No AWS credentials, no LocalStack: what a CI job without an AWS account has.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('MYSIMBDP_')));
    const run = spawnSync(process.execPath, ['node_modules/osls/bin/serverless.js', 'package', '--stage', 'ci', '--package', folder], {
      env: { ...env, SLS_TELEMETRY_DISABLED: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', HOME: folder },
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`serverless package failed:\n${run.stdout}\n${run.stderr}`);
    template = JSON.parse(await readFile(join(folder, 'cloudformation-template-update-stack.json'), 'utf8')) as typeof template;
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
  });

  it('has each queue with its dead-letter queue and redrive', () => {
    const queues = Object.fromEntries(ofType('AWS::SQS::Queue'));
    for (const [id, name] of [
      ['BatchIngestQueue', 'mysimbdp-ci-batch-ingest'],
      ['StreamQueueZoo', 'mysimbdp-ci-stream-zoo'],
      ['StreamQueueShop', 'mysimbdp-ci-stream-shop'],
    ] as const) {
      expect(queues[id]?.Properties.QueueName).toBe(name);
      expect(queues[`${id}DeadLetter`]?.Properties.QueueName).toBe(`${name}-dlq`);
      expect(queues[id]?.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [`${id}DeadLetter`, 'Arn'] }, maxReceiveCount: 3 });
    }
  });

  it('has the functions on nodejs22.x and their SQS event sources with partial batch failures', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([id]) => id).sort()).toEqual([
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
    expect(mappings).toHaveLength(3);
    for (const mapping of mappings) expect(mapping.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    expect(mappings.map((m) => (m.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).sort()).toEqual([
      'BatchIngestQueue',
      'StreamQueueShop',
      'StreamQueueZoo',
    ]);
    expect(ofType('AWS::ApiGatewayV2::Route').length).toBeGreaterThanOrEqual(8);
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
