import type { S3Client } from '@aws-sdk/client-s3';

/** A command as the SDK's clients are sent them: its class names it, `input` is what it asks. */
interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: object;
}

/**
 * An S3 client that sends nothing: it records every command (by class name,
 * with its input), and answers each with what a test set for that command
 * (a value, or an error to throw), `{}` otherwise.
 */
export class FakeS3Client {
  readonly sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  private readonly replies = new Map<string, (input: Record<string, unknown>) => unknown>();

  reply(command: string, reply: (input: Record<string, unknown>) => unknown): void {
    this.replies.set(command, reply);
  }

  send(command: SentCommand): Promise<unknown> {
    const name = command.constructor.name;
    const input = command.input as Record<string, unknown>;
    this.sent.push({ command: name, input });
    try {
      return Promise.resolve(this.replies.get(name)?.(input) ?? {});
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  asClient(): S3Client {
    return this as unknown as S3Client;
  }
}
