import { isPortOpen } from '../../localstack/process/net';
import { DeployCheck } from '../../localstack/deployCheck/DeployCheck';

/**
 * The packaged stack deployed with CloudFormation into a second LocalStack
 * (127.0.0.1:4599, its own data), the functions set aside, and what was
 * deployed exercised: what `npm run deploy:check` runs for an operator.
 */
describe('the packaged stack deployed into a second LocalStack with CloudFormation', () => {
  const check = new DeployCheck();
  const mainLocalStackUp = async (): Promise<boolean> =>
    fetch('http://127.0.0.1:4566/_localstack/health', { signal: AbortSignal.timeout(2000) }).then(
      (response) => response.ok,
      () => false,
    );
  let mainBefore: boolean;

  beforeAll(async () => {
    mainBefore = await mainLocalStackUp();
    await check.setUp();
  }, 300_000);

  afterAll(async () => {
    await check.tearDown();
  }, 60_000);

  it('creates everything but the functions and the HTTP API in front of them, by CloudFormation', () => {
    const deployed = check.deployed;
    expect(deployed).toBeDefined();
    const kept = Object.values(deployed?.template.Resources ?? {}).map((resource) => resource.Type);
    expect(kept.filter((type) => type.startsWith('AWS::Lambda::') || type.startsWith('AWS::ApiGatewayV2::'))).toEqual([]);
    for (const type of ['AWS::S3::Bucket', 'AWS::SQS::Queue', 'AWS::SQS::QueuePolicy', 'AWS::IAM::Role', 'AWS::Logs::LogGroup']) expect(kept).toContain(type);
    expect(deployed?.setAside).toContain('BatchIngestLambdaFunction');
    expect(deployed?.setAside).toContain('BatchIngestEventSourceMappingSQSBatchIngestQueue');
    // The bucket's CORS origin names the HTTP API: it stays, with a placeholder for the API.
    expect(deployed?.standIns).toEqual([{ resource: 'IngestBucket', setAside: 'HttpApi', placeholder: 'set-aside-httpapi' }]);
  });

  for (const { name, run } of check.checks) {
    it(name, async () => {
      expect(await run()).toEqual([]);
    });
  }

  it('leaves the local cloud on 4566 as it was, and stops its own LocalStack', async () => {
    expect(await mainLocalStackUp()).toBe(mainBefore);
    await check.tearDown();
    expect(await isPortOpen(4599)).toBe(false);
  });
});
