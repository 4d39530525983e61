import type { S3Client } from '@aws-sdk/client-s3';
import { RecordingAwsClient } from './RecordingAwsClient';

/**
 * An S3 client that sends nothing: it records every command (by class name,
 * with its input), and answers each with what a test set for that command
 * (a value, or an error to throw), `{}` otherwise.
 */
export class FakeS3Client extends RecordingAwsClient<S3Client> {}
