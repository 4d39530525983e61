import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type MessageAttributeValue,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { tenantOfNotification } from '../storage/s3Notifications';
import { PACK_FORMAT } from '../stream/StreamPack';
import type { Topology } from '../topology/Topology';
import { HAND_BACK_ATTRIBUTE_NAMES, HAND_BACK_ATTRIBUTES } from './handBackProtocol';

/** The dead-letter queues of a tenant: batch notifications (shared by all tenants), its chunk tasks and its stream messages. */
export type DeadLetterKind = 'batch' | 'chunks' | 'stream';
export const DEAD_LETTER_KINDS: readonly DeadLetterKind[] = ['batch', 'chunks', 'stream'];

/** One tenant's dead letters in one dead-letter queue. */
export interface DeadLetterSummary {
  readonly kind: DeadLetterKind;
  readonly queue: string;
  readonly count: number;
  /** When the oldest was sent (dead-lettered, or first sent when SQS's redrive moved it); null when there is none. */
  readonly oldest: string | null;
  /** Why they died (the `reason` attribute), most frequent first. */
  readonly reasons: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  /** False when the queue holds more than the scan read (`count` is then a lower bound). */
  readonly complete: boolean;
}

export interface RedriveOutcome {
  readonly kind: DeadLetterKind;
  readonly tenant: string;
  readonly queue: string;
  /** Moved back to the queue they died on (or, with `dryRun`, that would be). */
  readonly moved: number;
}

interface QueuePair {
  readonly kind: DeadLetterKind;
  readonly name: string;
  readonly deadLetterName: string;
}

/** Which tenant a dead letter belongs to: by the object key of a notification, the `tenant` field of a chunk task or stream pack. */
export function tenantOfDeadLetter(kind: DeadLetterKind, body: string): string | undefined {
  if (kind === 'batch') return tenantOfNotification(body);
  try {
    const tenant = (JSON.parse(body) as { tenant?: unknown }).tenant;
    return typeof tenant === 'string' ? tenant : undefined;
  } catch {
    return undefined;
  }
}

/** A stream pack with every message's failed tries reset, so that a redriven message gets all its tries again. */
function withTriesReset(body: string): string {
  if (!body.startsWith(`{"format":"${PACK_FORMAT}"`)) return body;
  const pack = JSON.parse(body) as { messages: Array<{ attempts: number }> };
  for (const message of pack.messages) message.attempts = 0;
  return JSON.stringify(pack);
}

/**
 * The platform's dead letters, per tenant, and moving them back (redrive), on
 * AWS and locally alike (SQS APIs only).
 *
 * - The batch notification queue and the chunk queue are shared by all
 *   tenants: their dead letters are read and grouped by tenant from the body
 *   (an S3 notification's key is `tenants/<tenant>/...`; a chunk task has a
 *   `tenant` field), and only the chosen tenant's are moved; the others are
 *   made visible again at once.
 * - A tenant's stream dead-letter queue is its own: everything in it moves.
 *
 * A redriven message goes back to the queue it died on, without its `reason`
 * and try counters, and a stream pack with its messages' tries reset: it starts
 * over. Reading SQS messages hides them for a while, so a listing reads at most
 * `scanLimit` per queue and releases them when done.
 *
 * @example
 * const deadLetters = new DeadLetters(sqs, topology);
 * await deadLetters.list(['zoo']); // [{ kind: 'batch', count: 1, reasons: [...] }, ...]
 * await deadLetters.redrive(['zoo'], ['batch'], { dryRun: false });
 */
export class DeadLetters {
  private readonly urls = new Map<string, Promise<string | undefined>>();
  private readonly recent = new Map<string, { at: number; summaries: Promise<DeadLetterSummary[]> }>();

  constructor(
    private readonly sqs: SQSClient,
    private readonly topology: Topology,
    /** `scanLimit`: messages read per queue by a listing (default 1000); `cacheSeconds`: how long {@link ofTenant} keeps an answer. */
    private readonly options: { readonly scanLimit?: number; readonly cacheSeconds?: number } = {},
  ) {}

  /**
   * One tenant's dead letters for a report, kept `cacheSeconds` so that a
   * report polled every second does not read the queues every second.
   */
  ofTenant(tenant: string, kinds: readonly DeadLetterKind[]): Promise<DeadLetterSummary[]> {
    const key = `${tenant}/${kinds.join(',')}`;
    const cached = this.recent.get(key);
    if (cached && Date.now() - cached.at < (this.options.cacheSeconds ?? 30) * 1000) return cached.summaries;
    const summaries = this.list([tenant], kinds).then((listing) => listing.get(tenant) ?? []);
    summaries.catch(() => this.recent.delete(key));
    this.recent.set(key, { at: Date.now(), summaries });
    return summaries;
  }

  /** The shared batch queue: the upload notifications of every tenant. */
  private sharedQueues(): QueuePair[] {
    const batch = this.topology.batchIngestQueue;
    return [{ kind: 'batch', name: batch.name, deadLetterName: batch.deadLetterName }];
  }

  /** A tenant's own queues of the chosen kinds: its chunk tasks, its stream. */
  private tenantQueues(tenant: string, kinds: readonly DeadLetterKind[]): QueuePair[] {
    const chunks = this.topology.chunkQueue(tenant);
    const stream = this.topology.streamQueue(tenant);
    const pairs: QueuePair[] = [
      { kind: 'chunks', name: chunks.name, deadLetterName: chunks.deadLetterName },
      { kind: 'stream', name: stream.name, deadLetterName: stream.deadLetterName },
    ];
    return pairs.filter((pair) => kinds.includes(pair.kind));
  }

  /** Per tenant, the dead letters of each kind (`kinds` limits which queues are read). */
  async list(tenants: readonly string[], kinds: readonly DeadLetterKind[] = DEAD_LETTER_KINDS): Promise<Map<string, DeadLetterSummary[]>> {
    const summaries = new Map<string, DeadLetterSummary[]>(tenants.map((tenant) => [tenant, []]));
    const limit = this.options.scanLimit ?? 1000;
    for (const pair of this.sharedQueues().filter((candidate) => kinds.includes(candidate.kind))) {
      const scan = await this.scan(pair.deadLetterName, limit, 30);
      await this.release(pair.deadLetterName, scan.messages);
      for (const tenant of tenants) {
        const mine = scan.messages.filter((message) => tenantOfDeadLetter(pair.kind, message.Body ?? '') === tenant);
        summaries.get(tenant)?.push(summarize(pair, mine, scan.complete));
      }
    }
    for (const tenant of tenants) {
      for (const pair of this.tenantQueues(tenant, kinds)) {
        const scan = await this.scan(pair.deadLetterName, limit, 30);
        await this.release(pair.deadLetterName, scan.messages);
        const total = await this.depth(pair.deadLetterName);
        const summary = summarize(pair, scan.messages, scan.complete);
        summaries.get(tenant)?.push({ ...summary, count: Math.max(summary.count, total) });
      }
    }
    return summaries;
  }

  /**
   * Moves the chosen tenants' dead letters of the chosen kinds back to the
   * queues they died on; with `dryRun`, only counts them.
   */
  async redrive(tenants: readonly string[], kinds: readonly DeadLetterKind[], options: { readonly dryRun: boolean }): Promise<RedriveOutcome[]> {
    const outcomes: RedriveOutcome[] = [];
    const chosen = new Set(tenants);
    for (const pair of this.sharedQueues().filter((candidate) => kinds.includes(candidate.kind))) {
      const scan = await this.scan(pair.deadLetterName, Number.POSITIVE_INFINITY, 120);
      const byTenant = new Map<string, Message[]>();
      const others: Message[] = [];
      for (const message of scan.messages) {
        const tenant = tenantOfDeadLetter(pair.kind, message.Body ?? '');
        if (tenant && chosen.has(tenant)) byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), message]);
        else others.push(message);
      }
      await this.release(pair.deadLetterName, others);
      for (const tenant of tenants) {
        const mine = byTenant.get(tenant) ?? [];
        if (options.dryRun) await this.release(pair.deadLetterName, mine);
        else await this.moveBack(pair, mine);
        outcomes.push({ kind: pair.kind, tenant, queue: pair.deadLetterName, moved: mine.length });
      }
    }
    for (const tenant of tenants) {
      for (const pair of this.tenantQueues(tenant, kinds)) {
        const scan = await this.scan(pair.deadLetterName, Number.POSITIVE_INFINITY, 120);
        if (options.dryRun) await this.release(pair.deadLetterName, scan.messages);
        else await this.moveBack(pair, scan.messages);
        outcomes.push({ kind: pair.kind, tenant, queue: pair.deadLetterName, moved: scan.messages.length });
      }
    }
    return outcomes;
  }

  private queueUrl(name: string): Promise<string | undefined> {
    let url = this.urls.get(name);
    if (!url) {
      url = this.sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
        (reply) => reply.QueueUrl,
        (error: Error) => {
          this.urls.delete(name);
          // A queue this stage does not have (the chunk queue before it exists, a tenant never provisioned) holds nothing.
          if (error instanceof QueueDoesNotExist || error.name === 'AWS.SimpleQueueService.NonExistentQueue') return undefined;
          throw error;
        },
      );
      this.urls.set(name, url);
    }
    return url;
  }

  private async depth(name: string): Promise<number> {
    const QueueUrl = await this.queueUrl(name);
    if (!QueueUrl) return 0;
    const attributes = (
      await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))
    ).Attributes;
    return Number(attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  /**
   * Reads up to `limit` messages of a queue, each hidden for `visibilitySeconds`
   * (so one read does not see a message twice); stops when a read brings
   * nothing new.
   */
  private async scan(name: string, limit: number, visibilitySeconds: number): Promise<{ messages: Message[]; complete: boolean }> {
    const QueueUrl = await this.queueUrl(name);
    if (!QueueUrl) return { messages: [], complete: true };
    const seen = new Map<string, Message>();
    while (seen.size < limit) {
      const reply = await this.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 1,
          AttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const fresh = (reply.Messages ?? []).filter((message) => !seen.has(message.MessageId as string));
      if (fresh.length === 0) return { messages: [...seen.values()], complete: true };
      for (const message of fresh) seen.set(message.MessageId as string, message);
    }
    return { messages: [...seen.values()], complete: (await this.depth(name)) <= seen.size };
  }

  /** Makes messages read by a scan visible again at once. */
  private async release(name: string, messages: readonly Message[]): Promise<void> {
    const QueueUrl = await this.queueUrl(name);
    if (!QueueUrl) return;
    for (let start = 0; start < messages.length; start += 10) {
      await this.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl,
          Entries: messages
            .slice(start, start + 10)
            .map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      );
    }
  }

  /** Sends each dead letter back to its queue (fresh tries), then deletes it from the dead-letter queue. */
  private async moveBack(pair: QueuePair, messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    const target = await this.queueUrl(pair.name);
    const source = await this.queueUrl(pair.deadLetterName);
    if (!target || !source) throw new Error(`queue ${pair.name} does not exist: provision the stage first`);
    for (const message of messages) {
      const attributes: Record<string, MessageAttributeValue> = {};
      for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) if (!HAND_BACK_ATTRIBUTE_NAMES.includes(name)) attributes[name] = value;
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: target,
          MessageBody: pair.kind === 'stream' ? withTriesReset(message.Body ?? '') : message.Body,
          MessageAttributes: attributes,
        }),
      );
    }
    for (let start = 0; start < messages.length; start += 10) {
      await this.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: source,
          Entries: messages.slice(start, start + 10).map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
        }),
      );
    }
  }
}

function summarize(pair: QueuePair, messages: readonly Message[], complete: boolean): DeadLetterSummary {
  const reasons = new Map<string, number>();
  let oldest: number | undefined;
  for (const message of messages) {
    const reason = message.MessageAttributes?.[HAND_BACK_ATTRIBUTES.reason]?.StringValue ?? "no reason recorded (moved by SQS's redrive policy)";
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    const sent = Number(message.Attributes?.SentTimestamp);
    if (Number.isFinite(sent)) oldest = Math.min(oldest ?? sent, sent);
  }
  return {
    kind: pair.kind,
    queue: pair.deadLetterName,
    count: messages.length,
    oldest: oldest === undefined ? null : new Date(oldest).toISOString(),
    reasons: [...reasons].sort((a, b) => b[1] - a[1]).map(([reason, count]) => ({ reason, count })),
    complete,
  };
}
