import middy from '@middy/core';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { platformConfig } from '../../layers/platform/src/config/PlatformConfig';
import { platformHealthCheck } from '../../layers/platform/src/health/platformHealthCheck';
import { jsonResponse } from './errorResponse';

const check = platformHealthCheck(platformConfig());

/** `GET /health`: S3, SQS, Cassandra and RabbitMQ each up or down with its latency; 200 only when all are up. */
export const handler = middy<unknown, APIGatewayProxyStructuredResultV2>().handler(async () => {
  const report = await check.run();
  return jsonResponse(report.status === 'up' ? 200 : 503, report);
});
