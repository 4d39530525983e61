import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { platformConfig, platformHealthCheck, type HealthReport } from '../../layers/platform/src';
import { lambdaLogContext } from '../lambdaLogContext';
import { jsonResponse } from './errorResponse';

const check = platformHealthCheck(platformConfig());

/** `GET /health`: S3, SQS, Cassandra and RabbitMQ each up or down with its latency; 200 only when all are up. */
export const handler = middy<unknown, APIGatewayProxyStructuredResultV2>(async () => {
  const report: HealthReport = await check.run();
  return jsonResponse(report.status === 'up' ? 200 : 503, report);
}).use(lambdaLogContext);
