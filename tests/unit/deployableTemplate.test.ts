import { deployableTemplate, references, type CfnTemplate } from '../../localstack/deployCheck/deployableTemplate';

const secret = '{{resolve:secretsmanager:mysimbdp/dev:SecretString:tokenSecret}}';

const packaged: CfnTemplate = {
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'q' } },
    LogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/aws/lambda/f' } },
    Role: { Type: 'AWS::IAM::Role', Properties: { Policies: [{ Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] } },
    Function: {
      Type: 'AWS::Lambda::Function',
      DependsOn: ['LogGroup'],
      Properties: { Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Environment: { Variables: { TOKEN: secret, QUEUE: { Ref: 'Queue' } } } },
    },
    Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: { Ref: 'Function' }, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] } } },
    Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
    // Not a function type, but it depends on nothing else than what is set aside.
    Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { Dimensions: [{ Value: { Ref: 'Function' } }] }, DependsOn: 'Api' },
    Bucket: {
      Type: 'AWS::S3::Bucket',
      DependsOn: ['Queue', 'Api'],
      Properties: { Cors: { 'Fn::Sub': 'https://${Api}.execute-api.${AWS::Region}.amazonaws.com' }, Queue: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
    },
  },
  Outputs: { FunctionArn: { Value: { 'Fn::GetAtt': ['Function', 'Arn'] } }, QueueUrl: { Value: { Ref: 'Queue' } } },
};

describe('deployableTemplate', () => {
  const deployable = deployableTemplate(packaged);

  it('sets aside the functions, the HTTP API, and what depends on nothing else', () => {
    expect(deployable.setAside).toEqual(['Alarm', 'Api', 'Function', 'Mapping']);
    expect(Object.keys(deployable.template.Resources).sort()).toEqual(['Bucket', 'LogGroup', 'Queue', 'Role']);
  });

  it('keeps a resource that also depends on kept ones, with a placeholder for what was set aside and the rest of its references intact', () => {
    const bucket = deployable.template.Resources.Bucket;
    expect(bucket?.DependsOn).toEqual(['Queue']);
    expect(bucket?.Properties).toEqual({
      Cors: { 'Fn::Sub': 'https://set-aside-api.execute-api.${AWS::Region}.amazonaws.com' },
      Queue: { 'Fn::GetAtt': ['Queue', 'Arn'] },
    });
    expect(deployable.standIns).toEqual([{ resource: 'Bucket', setAside: 'Api', placeholder: 'set-aside-api' }]);
  });

  it('leaves out the outputs naming what was set aside, and collects the secrets the functions resolve', () => {
    expect(deployable.outputsLeftOut).toEqual(['FunctionArn']);
    expect(Object.keys(deployable.template.Outputs ?? {})).toEqual(['QueueUrl']);
    expect(deployable.secretReferences).toEqual([secret]);
  });

  it('finds references in Ref, Fn::GetAtt (both spellings) and Fn::Sub, not pseudo parameters or Fn::Sub variables', () => {
    expect(
      [...references({ a: { Ref: 'AWS::AccountId' }, b: { 'Fn::GetAtt': 'X.Arn' }, c: { 'Fn::Sub': ['${Y}-${V}-${!Z}', { V: { Ref: 'W' } }] } })].sort(),
    ).toEqual(['W', 'X', 'Y']);
  });
});
