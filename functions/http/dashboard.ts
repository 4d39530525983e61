import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DASHBOARD_ASSETS } from '../../dist/dashboard/assets.mjs';
import { createS3Client, IngestBucket, platformConfig } from '../../layers/platform/src';
import { lambdaLogContext } from '../lambdaLogContext';

const config = platformConfig();
const bucket = new IngestBucket(createS3Client(config), config.ingestBucket);
/** Where the page's presigned POSTs go: the origin of a presigned POST's URL, so it is exact on LocalStack and on AWS. */
const uploadOrigin = bucket.presignUpload('tenants/', 0, 60, 'origin').then(
  (upload) => new URL(upload.url).origin,
  () => config.aws.endpoint ?? `https://${config.ingestBucket}.s3.${config.aws.region}.amazonaws.com`,
);

/**
 * `GET /` and `GET /dashboard/{asset}`: the dashboard's page, script, style
 * sheet and icon, built into the function (clients/dashboard). The page's
 * Content-Security-Policy allows nothing inline: scripts and styles from this
 * origin only, API calls to this origin and uploads to the ingest bucket.
 * It needs neither Cassandra nor a token.
 */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(async (event: APIGatewayProxyEventV2) => {
  const asset = DASHBOARD_ASSETS[event.pathParameters?.asset ?? 'index.html'];
  if (!asset) return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'no such dashboard file' };
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'cache-control': 'no-cache',
    etag: asset.etag,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy': [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      `connect-src 'self' ${await uploadOrigin}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  };
  if (event.headers['if-none-match'] === asset.etag) return { statusCode: 304, headers, body: '' };
  return { statusCode: 200, headers, body: asset.body };
}).use(lambdaLogContext);
