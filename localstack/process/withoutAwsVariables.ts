/**
 * The environment without its `AWS_*` variables (endpoint, credentials, profile, region): for a process that must
 * not follow the platform's AWS settings, such as a LocalStack instance (its own clients talk to itself) or
 * `serverless package` run as for AWS.
 */
export function withoutAwsVariables(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AWS_')));
}
