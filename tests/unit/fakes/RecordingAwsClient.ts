/** A command as the SDK's clients are sent them: its class names it, `input` is what it asks. */
interface SentCommand {
  readonly constructor: { readonly name: string };
  readonly input: object;
}

/**
 * An AWS SDK client that sends nothing: it records every command (by class
 * name, with its input), and answers each with what a test set for that
 * command (a value, or an error to throw), `{}` otherwise. A fake of one
 * service may answer some commands before they are recorded
 * ({@link answerUnrecorded}).
 */
export class RecordingAwsClient<Client> {
  readonly sent: Array<{ command: string; input: Record<string, unknown> }> = [];
  private readonly replies = new Map<string, (input: Record<string, unknown>) => unknown>();

  /** Answers every `command` (by class name) with what `reply` returns for its input. */
  reply(command: string, reply: (input: Record<string, unknown>) => unknown): void {
    this.replies.set(command, reply);
  }

  send(command: SentCommand): Promise<unknown> {
    const name = command.constructor.name;
    const input = command.input as Record<string, unknown>;
    const unrecorded = this.answerUnrecorded?.(name, input, this.replies.has(name));
    if (unrecorded) return unrecorded;
    this.sent.push({ command: name, input });
    try {
      return Promise.resolve(this.replies.get(name)?.(input) ?? {});
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** The answer to a command that is not to be recorded, or undefined to record and answer it as set. */
  protected answerUnrecorded?(name: string, input: Record<string, unknown>, replySet: boolean): Promise<unknown> | undefined;

  asClient(): Client {
    return this as unknown as Client;
  }
}
