import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient, type Message } from '@aws-sdk/client-sqs';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SandboxRun {
  readonly seconds: number;
  readonly maxRssBytes: number;
  readonly failures: number;
  /** What the function logged (JSON lines). */
  readonly logLines: readonly string[];
  /** The SQS message body the function ran on. */
  readonly body: string;
}

/**
 * The Lambda event source, for benchmarks: takes one message off an SQS queue
 * and runs the function bundle on it in a fresh process ({@link lambdaSandbox.mjs}),
 * deleting the message unless the function reported it failed.
 */
export class SqsSandboxInvoker {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueName: string,
    private readonly bundle: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Runs the function on the queue's messages, one process each, until one mentions `text`; returns that run. */
  async runUntil(text: string, timeoutSeconds = 120): Promise<SandboxRun> {
    for (;;) {
      const run = await this.runOnce(timeoutSeconds);
      if (run.body.includes(text)) return run;
    }
  }

  async runOnce(timeoutSeconds = 120): Promise<SandboxRun> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: this.queueName }));
    const deadline = Date.now() + timeoutSeconds * 1000;
    let message: Message | undefined;
    while (!message && Date.now() < deadline) {
      const reply = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 5,
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 900,
        }),
      );
      message = reply.Messages?.[0];
    }
    if (!message) throw new Error(`no message on ${this.queueName} within ${timeoutSeconds} s`);
    const event = {
      Records: [
        {
          messageId: message.MessageId,
          receiptHandle: message.ReceiptHandle,
          body: message.Body,
          attributes: message.Attributes ?? {},
          messageAttributes: {},
          md5OfBody: message.MD5OfBody,
          eventSource: 'aws:sqs',
          eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${this.queueName}`,
          awsRegion: 'us-east-1',
        },
      ],
    };
    const eventFile = join(await mkdtemp(join(tmpdir(), 'sandbox-')), 'event.json');
    await writeFile(eventFile, JSON.stringify(event));
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['bench/lambdaSandbox.mjs', this.bundle, eventFile], {
        env: { ...process.env, ...this.env },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`the function process exited with ${code}`))));
    });
    const lines = output.trim().split('\n');
    const run = JSON.parse(lines.pop() as string) as { result: { batchItemFailures: unknown[] }; seconds: number; maxRssBytes: number };
    if (run.result.batchItemFailures.length === 0) await this.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    return {
      seconds: run.seconds,
      maxRssBytes: run.maxRssBytes,
      failures: run.result.batchItemFailures.length,
      logLines: lines.filter((line) => line.startsWith('{')),
      body: message.Body ?? '',
    };
  }
}
