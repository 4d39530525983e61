import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { PlatformConfig } from '../config/PlatformConfig';

/**
 * AWS SDK clients for S3 and SQS (and Lambda, below). With `AWS_ENDPOINT_URL` set they talk to
 * LocalStack (S3 in path style); without it, to AWS.
 */
export function createS3Client(config: PlatformConfig): S3Client {
  return new S3Client({
    region: config.aws.region,
    ...(config.aws.endpoint ? { endpoint: config.aws.endpoint, forcePathStyle: true } : {}),
    maxAttempts: 5,
    // A whole object read from its start (a file's cut, its sample) is not checked against its stored checksum as it
    // streams: the SDK computes CRC64 in JavaScript, 0.7 s of CPU for a 90 MB file, more than the cut's own scan, and
    // the bytes come over TLS from a version that cannot change. (Ranged reads, every chunk's, carry no checksum.)
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(config: PlatformConfig): SQSClient {
  return new SQSClient({
    region: config.aws.region,
    ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}),
    maxAttempts: 5,
  });
}

/** Lambda, for the operator's tool: the stream function's event source mappings (AWS only). */
export function createLambdaClient(config: PlatformConfig): LambdaClient {
  return new LambdaClient({
    region: config.aws.region,
    ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}),
    maxAttempts: 5,
  });
}
