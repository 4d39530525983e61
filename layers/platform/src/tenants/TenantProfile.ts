import { z } from 'zod';
import { BYTE_SIZE_PATTERN, parseByteSize } from '../units/byteSize';
import { FILE_FORMATS } from './FileFormat';
import { TenantIdSchema } from './TenantId';

/** A size written with its unit ("10 MiB"), parsed to `{ text, bytes }`. */
const ByteSizeSchema = z
  .string()
  .regex(BYTE_SIZE_PATTERN, 'a size is a number and a unit, e.g. "10 MiB" (B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)')
  .transform((text) => ({ text: text.trim(), bytes: parseByteSize(text) }));

export { FILE_FORMATS, type FileFormat } from './FileFormat';

/** SQS refuses messages over 256 KiB. */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * A tenant's profile: the constraints on its uploads (maximum file size,
 * files per batch, allowed formats), with explicit units, plus the tenant's
 * keyspace and stream settings. Stored as `tenants/<tenant>/profile.json`.
 *
 * @example
 * const profile = TenantProfileSchema.parse(JSON.parse(text));
 * profile.batch.maxFileSize.bytes; // 10485760
 */
export const TenantProfileSchema = z
  .object({
    $schema: z.string().optional(),
    tenant: TenantIdSchema,
    displayName: z.string().min(1).max(120),
    status: z.enum(['active', 'disabled']).default('active'),
    /** The tenant's Cassandra keyspace (the stage prefix is added by the platform). */
    keyspace: z.string().regex(/^[a-z][a-z0-9_]{0,40}$/, 'a keyspace is lower-case letters, digits and underscores, starting with a letter'),
    /**
     * Copies of the keyspace's data in each data center, when the tenant needs
     * other than the platform's (`CASSANDRA_REPLICATION`); never more than the
     * data center has nodes (checked when the keyspace is made or changed).
     */
    replicationFactor: z.number().int().min(1).max(9).optional(),
    batch: z
      .object({
        maxFileSize: ByteSizeSchema,
        maxFilesPerBatch: z.number().int().min(1).max(1000),
        dailyQuota: z
          .object({
            maxFiles: z.number().int().min(1).optional(),
            maxBytes: ByteSizeSchema.optional(),
          })
          .strict()
          .optional(),
        allowedFormats: z.array(z.enum(FILE_FORMATS)).min(1),
        /**
         * The most a compressed file (`.gz`, `.zst`) may unpack to, checked while
         * it is decompressed; absent, {@link UNCOMPRESSED_SIZE_FACTOR} times `maxFileSize`.
         */
        maxUncompressedSize: ByteSizeSchema.optional(),
        /** Bad rows tolerated in one file; one more and the whole file is rejected. */
        maxBadRows: z.number().int().min(0).default(0),
      })
      .strict(),
    stream: z
      .object({
        /** Messages per stream-ingest invocation (SQS event source batch size). */
        batchSize: z.number().int().min(1).max(10000).default(100),
        /** Seconds the event source may wait to fill a batch. */
        batchWindowSeconds: z.number().int().min(0).max(300).default(1),
        /** Deliveries of one message before it goes to the tenant's dead-letter queue. */
        maxReceiveCount: z.number().int().min(1).max(1000).default(3),
        maxMessageSize: ByteSizeSchema.prefault('256 KiB'),
      })
      .strict()
      .prefault({}),
    /**
     * What the tenant may take of the platform at once, enforced by the platform
     * whatever the tenant sends: over a limit its work waits (never refused or
     * lost for it). Absent, a limit is the platform's whole capacity.
     */
    limits: z
      .object({
        /** Chunk invocations (plan, validate or write a chunk of a large file) the tenant's files may hold at once. */
        chunkInvocations: z.number().int().min(1).max(1000).optional(),
        /** Rows per second written into the tenant's keyspace by its files, across every invocation together. */
        rowsPerSecond: z.number().int().min(1).optional(),
        /** Stream messages per second written for the tenant, across every invocation together. */
        streamMessagesPerSecond: z.number().int().min(1).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((profile, ctx) => {
    if (profile.stream.batchSize > 10 && profile.stream.batchWindowSeconds < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['stream', 'batchWindowSeconds'],
        message: 'a batch size over 10 needs a batch window of at least 1 second (an SQS event source rule)',
      });
    }
    if (profile.stream.maxMessageSize.bytes > SQS_MAX_MESSAGE_BYTES) {
      ctx.addIssue({ code: 'custom', path: ['stream', 'maxMessageSize'], message: 'at most 256 KiB (the SQS message limit)' });
    }
  });

/** A compressed file may unpack to this many times the largest file, unless the profile says otherwise. */
export const UNCOMPRESSED_SIZE_FACTOR = 10;

/** The most bytes a tenant's compressed file may unpack to. */
export function maxUncompressedBytes(profile: Pick<TenantProfile, 'batch'>): number {
  return profile.batch.maxUncompressedSize?.bytes ?? UNCOMPRESSED_SIZE_FACTOR * profile.batch.maxFileSize.bytes;
}

/** The profile as written in `profile.json`. */
export type TenantProfileInput = z.input<typeof TenantProfileSchema>;
/** The validated profile, sizes parsed to bytes. */
export type TenantProfile = z.output<typeof TenantProfileSchema>;
