import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../localstack/paths';

/** One invocation of a function, as Lambda would report it. */
export interface Invocation {
  readonly seconds: number;
  /** CPU time, user and system. */
  readonly cpuSeconds: number;
  readonly maxRssBytes: number;
  /** When it ended (`performance.now()`). */
  readonly endedAt: number;
  readonly failed: boolean;
  /** The SQS message it ran on. */
  readonly body: string;
  /** What the function logged was on its process's stdout; this is its error, if it threw. */
  readonly error: string | undefined;
}

interface Sandbox {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
}

/**
 * The Lambda SQS event source, for benchmarks: `concurrency` warm execution
 * environments (processes running `bench/lambdaSandbox.mjs` on a function
 * bundle), each taking one message at a time off a queue, invoking the
 * function on it and deleting it unless the function reported it failed. So
 * the functions run as on Lambda, one process each, and each process's memory
 * is its own.
 *
 * @example
 * const chunks = new SqsEventSource(sqs, 'mysimbdp-bench-chunks-zoo', bundle, env, 4);
 * chunks.start(); ...; await chunks.stop();
 */
export class SqsEventSource {
  readonly invocations: Invocation[] = [];
  private running = false;
  private loops: Array<Promise<void>> = [];
  private sandboxes: Sandbox[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueName: string,
    private readonly bundle: string,
    private readonly env: Record<string, string>,
    private readonly concurrency: number,
    private readonly visibilityTimeoutSeconds = 600,
    /** Where each environment's stdout (the function's log lines) goes. */
    private readonly onLog: (line: string) => void = () => undefined,
  ) {}

  private spawn(): Sandbox {
    const child = fork(join(repoRoot, 'bench', 'lambdaSandbox.mjs'), [this.bundle, String(this.visibilityTimeoutSeconds / 2)], {
      env: { ...process.env, ...this.env },
      // Not the parent's flags (tsx): the environment's own NODE_OPTIONS apply, as on Lambda. BENCH_PROFILE_DIR: a CPU
      // profile of each environment, written there when it ends (Node refuses --cpu-prof in NODE_OPTIONS).
      execArgv: process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [],
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) this.onLog(line);
    });
    const ready = new Promise<void>((resolve) => child.once('message', () => resolve()));
    return { child, ready };
  }

  private invoke(
    sandbox: Sandbox,
    message: Message,
    arn: string,
  ): Promise<{ result?: { batchItemFailures?: unknown[] }; error?: string; seconds: number; cpuSeconds: number; maxRssBytes: number }> {
    const id = message.MessageId as string;
    return new Promise((resolve) => {
      const onMessage = (reply: {
        id?: string;
        result?: { batchItemFailures?: unknown[] };
        error?: string;
        seconds: number;
        cpuSeconds: number;
        maxRssBytes: number;
      }) => {
        if (reply.id !== id) return;
        sandbox.child.off('message', onMessage);
        resolve(reply);
      };
      sandbox.child.on('message', onMessage);
      sandbox.child.send({
        id,
        event: {
          Records: [
            {
              messageId: id,
              receiptHandle: message.ReceiptHandle,
              body: message.Body,
              attributes: message.Attributes ?? {},
              messageAttributes: {},
              md5OfBody: message.MD5OfBody,
              eventSource: 'aws:sqs',
              eventSourceARN: arn,
              awsRegion: 'us-east-1',
            },
          ],
        },
      });
    });
  }

  start(): void {
    this.running = true;
    for (let n = 0; n < this.concurrency; n += 1) {
      const sandbox = this.spawn();
      this.sandboxes.push(sandbox);
      this.loops.push(this.poll(sandbox));
    }
  }

  private async poll(sandbox: Sandbox): Promise<void> {
    await sandbox.ready;
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: this.queueName }));
    const arn = `arn:aws:sqs:us-east-1:000000000000:${this.queueName}`;
    while (this.running) {
      const reply = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 1,
          AttributeNames: ['All'],
          VisibilityTimeout: this.visibilityTimeoutSeconds,
        }),
      );
      const message = reply.Messages?.[0];
      if (!message) continue;
      const run = await this.invoke(sandbox, message, arn);
      const failed = Boolean(run.error) || (run.result?.batchItemFailures?.length ?? 0) > 0;
      if (!failed) await this.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      this.invocations.push({
        seconds: run.seconds,
        cpuSeconds: run.cpuSeconds,
        maxRssBytes: run.maxRssBytes,
        endedAt: performance.now(),
        failed,
        body: message.Body ?? '',
        error: run.error,
      });
    }
  }

  /** Stops polling, waits for the invocations under way, and ends the environments. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const { child } of this.sandboxes) child.kill();
    this.sandboxes = [];
    this.loops = [];
  }

  /** The highest peak RSS any environment reported. */
  get maxRssBytes(): number {
    return Math.max(0, ...this.invocations.map((invocation) => invocation.maxRssBytes));
  }
}
