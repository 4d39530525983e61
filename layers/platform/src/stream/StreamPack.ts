/**
 * A pack: many stream messages of one tenant in one SQS message.
 *
 * SQS charges (and LocalStack spends CPU) per request, not per byte: one
 * message per request caps a tenant's stream at a few hundred messages a second
 * on a small machine, while packing a few hundred small messages into one SQS
 * message (up to its 256 KiB limit) divides the requests by as much. Each
 * message keeps its own id, publish time and delivery count, so retries and
 * dead-lettering stay per message.
 *
 * @example
 * const packs = encodePacks(messages); // [{ body, count }], one SQS message each
 * const messages = decodePack(body); // [{ messageId, publishedAt, attempts, body, bytes }]
 */
export interface PackedMessage {
  readonly messageId: string;
  readonly publishedAt: Date;
  /** The message as its publisher sent it. */
  readonly text: string;
  /** How many times a stream-ingest function has already failed on it. */
  readonly attempts: number;
}

/** Marks a pack, as an SQS message attribute and in the body. */
export const PACK_FORMAT = 'mysimbdp-pack/1';
/** Room for the SQS message attributes within SQS's 256 KiB. */
export const MAX_PACK_BYTES = 250 * 1024;

/** A message taken out of a pack, its body parsed when it is JSON. */
export interface UnpackedMessage {
  readonly messageId: string;
  readonly publishedAt: Date;
  readonly attempts: number;
  readonly body: unknown;
  readonly bytes: number;
}

interface PackEntry {
  id: string;
  publishedAt: number;
  attempts: number;
  bytes: number;
  /** The message, embedded as JSON when it is JSON (no escaping), else as a string. */
  json?: unknown;
  text?: string;
}

function isJson(text: string): boolean {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The entry's JSON: a JSON message is spliced in as it came, without re-serializing. */
function entryText(message: PackedMessage): string {
  const head = `{"id":${JSON.stringify(message.messageId)},"publishedAt":${message.publishedAt.getTime()},"attempts":${message.attempts},"bytes":${Buffer.byteLength(message.text)}`;
  return isJson(message.text) ? `${head},"json":${message.text}}` : `${head},"text":${JSON.stringify(message.text)}}`;
}

/** The bytes of a pack holding only this message: more than MAX_PACK_BYTES, and SQS can never take it. */
export function packedBytes(message: PackedMessage): number {
  return Buffer.byteLength(`{"format":"${PACK_FORMAT}","messages":[${entryText(message)}]}`);
}

/** Packs messages into as few SQS message bodies as their size allows, in order; `count` messages each. */
export function encodePacks(messages: readonly PackedMessage[], maxBytes = MAX_PACK_BYTES): Array<{ body: string; count: number }> {
  const head = `{"format":"${PACK_FORMAT}","messages":[`;
  const packs: Array<{ body: string; count: number }> = [];
  let entries: string[] = [];
  let bytes = head.length + 2;
  const close = (): void => {
    packs.push({ body: `${head}${entries.join(',')}]}`, count: entries.length });
    entries = [];
    bytes = head.length + 2;
  };
  for (const message of messages) {
    const entry = entryText(message);
    const size = Buffer.byteLength(entry) + 1;
    if (entries.length && bytes + size > maxBytes) close();
    entries.push(entry);
    bytes += size;
  }
  if (entries.length) close();
  return packs;
}

/** The messages of a pack body, parsed; undefined when the body is not a pack. */
export function decodePack(body: string): UnpackedMessage[] | undefined {
  if (!body.startsWith(`{"format":"${PACK_FORMAT}"`)) return undefined;
  const pack = JSON.parse(body) as { messages: PackEntry[] };
  return pack.messages.map((entry) => ({
    messageId: entry.id,
    publishedAt: new Date(entry.publishedAt),
    attempts: entry.attempts,
    body: entry.text ?? entry.json,
    bytes: entry.bytes,
  }));
}

/** Turns unpacked messages back into packable ones (to retry or dead-letter them). */
export function repack(message: UnpackedMessage, attempts: number): PackedMessage {
  return {
    messageId: message.messageId,
    publishedAt: message.publishedAt,
    attempts,
    text: typeof message.body === 'string' ? message.body : JSON.stringify(message.body),
  };
}
