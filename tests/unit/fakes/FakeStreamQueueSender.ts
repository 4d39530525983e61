import type { OutgoingStreamMessage, SendOutcome, StreamQueueSender } from '../../../layers/platform/src/stream/StreamQueueSender';
import type { PackedMessage } from '../../../layers/platform/src/stream/StreamPack';
import type { Public } from './Public';

/**
 * A tenant's stream queues in memory: what was sent, put back for a retry
 * (with its delay) and dead-lettered (with the reason). Refuses every send
 * while a test says SQS is down.
 */
export class FakeStreamQueueSender implements Public<StreamQueueSender> {
  readonly sent: Array<{ tenant: string; messages: readonly OutgoingStreamMessage[] }> = [];
  readonly retried: Array<{ tenant: string; messages: readonly PackedMessage[]; delaySeconds: number }> = [];
  readonly deadLettered: Array<{ tenant: string; messages: readonly PackedMessage[]; reason: string }> = [];
  private down: Error | undefined;

  fail(error: Error): void {
    this.down = error;
  }

  queueUrl(tenant: string): Promise<string> {
    return Promise.resolve(`http://127.0.0.1/queue/stream-${tenant}`);
  }

  queueUrlByName(name: string): Promise<string> {
    return Promise.resolve(`http://127.0.0.1/queue/${name}`);
  }

  private outcome(count: number): Promise<SendOutcome> {
    if (this.down) return Promise.reject(this.down);
    return Promise.resolve({ sent: count, failed: [] });
  }

  send(tenant: string, messages: readonly OutgoingStreamMessage[]): Promise<SendOutcome> {
    if (!this.down) this.sent.push({ tenant, messages });
    return this.outcome(messages.length);
  }

  retry(tenant: string, messages: readonly PackedMessage[], delaySeconds: number): Promise<SendOutcome> {
    if (!this.down) this.retried.push({ tenant, messages, delaySeconds });
    return this.outcome(messages.length);
  }

  deadLetter(tenant: string, messages: readonly PackedMessage[], reason: string): Promise<SendOutcome> {
    if (!this.down) this.deadLettered.push({ tenant, messages, reason });
    return this.outcome(messages.length);
  }
}
