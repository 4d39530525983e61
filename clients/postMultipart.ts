import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

export interface PostResult {
  readonly status: number;
  readonly body: string;
}

/**
 * POSTs a file to a presigned POST URL as multipart/form-data, streaming it
 * from disk (any size, constant memory) and reporting bytes sent.
 *
 * @example
 * await postMultipart(grant.upload.url, grant.upload.fields, 'data/a.csv', (sent) => bar.update(sent));
 */
export async function postMultipart(
  url: string,
  fields: Record<string, string>,
  filePath: string,
  onProgress: (bytesSent: number) => void,
): Promise<PostResult> {
  const boundary = `----mysimbdp${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    Object.entries(fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${basename(filePath).replace(/"/g, '')}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = (await stat(filePath)).size;
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
    });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.write(head);
    let sent = 0;
    const file = createReadStream(filePath, { highWaterMark: 1024 * 1024 });
    file.on('data', (chunk) => {
      sent += chunk.length;
      onProgress(sent);
    });
    file.on('error', (error) => req.destroy(error));
    file.on('end', () => req.end(tail));
    file.pipe(req, { end: false });
  });
}

/** S3's XML error as one line: "EntityTooLarge: Your proposed upload exceeds the maximum allowed size". */
export function s3ErrorMessage(body: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
  return code ? `${code}: ${message ?? ''}`.trim() : body.slice(0, 200);
}
