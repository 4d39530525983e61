import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { platformLogger } from '../layers/platform/src';

/**
 * The middleware every function's middy chain uses first: it hands the
 * invocation's Lambda context to the platform's logger, the one logger of the
 * function's process, so that every line the function and the core log
 * during the invocation carries its request id (`function_request_id`), the
 * function's name and whether it was a cold start.
 *
 * @example
 * export const handler = middy<SQSEvent, SQSBatchResponse>().use(lambdaLogContext).handler(async (event) => ...);
 */
export const lambdaLogContext = injectLambdaContext(platformLogger, { resetKeys: true });
