import { z } from 'zod';
import { parseRecord, RecordError } from '../../layers/platform/src/tenantApp';

const NUMBER_TEXT = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/;

/** Text from a CSV cell becomes a number when it is one; anything else stays as it is and fails the schema. */
function toNumber(value: unknown): unknown {
  return typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : value;
}

/** The same, or null when the cell is empty. */
function toOptionalNumber(value: unknown): unknown {
  return value === '' || value === undefined ? null : toNumber(value);
}

const notANumber = (issue: { input?: unknown }): string => `${JSON.stringify(issue.input)} is not a number`;

/** A number within bounds (a cell's text made one beforehand, in `normalize`). */
function numberField(bounds: { min?: number; max?: number; int?: boolean } = {}) {
  let schema = z.number({ error: notANumber });
  if (bounds.int) schema = schema.int({ error: (issue) => `${JSON.stringify(issue.input)} is not a whole number` });
  if (bounds.min !== undefined) schema = schema.min(bounds.min, { error: `must be at least ${bounds.min}` });
  if (bounds.max !== undefined) schema = schema.max(bounds.max, { error: `must be at most ${bounds.max}` });
  return schema;
}

/**
 * One reading of a turtle tracker, as the Korkeasaari dataset publishes it:
 * `time` is epoch milliseconds, `dev-id` the tracker. Numbers may come as
 * JSON numbers or as text (see `normalize`); an optional one may be empty.
 */
export const ReadingSchema = z.object({
  'dev-id': z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"'),
  /** Epoch milliseconds, between 2000 and 2100. */
  time: numberField({ int: true, min: 946684800000, max: 4102444800000 }),
  temperature: numberField({ min: -50, max: 100 }),
  humidity: numberField({ min: 0, max: 100 }).nullable(),
  pressure: numberField({ min: 0 }).nullable(),
  battery: numberField({ int: true, min: 0 }).nullable(),
  acceleration: numberField().nullable(),
  acceleration_x: numberField().nullable(),
  acceleration_y: numberField().nullable(),
  acceleration_z: numberField().nullable(),
});

export type Reading = z.output<typeof ReadingSchema>;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Readings come in the Korkeasaari export's columns (`dev-id`, `time` in epoch
 * milliseconds) or in the table's own (`dev_id`, `ts` in ISO 8601, or a Date
 * where the file types it, as Parquet does); both become the first, with
 * numbers given as text made numbers, in one object made once per reading
 * (one step before the schema rather than one per field inside it: this is
 * most of the zoo's CPU per row).
 */
function normalize(fields: unknown): unknown {
  if (typeof fields !== 'object' || fields === null) return fields;
  const record = fields as Record<string, unknown>;
  let id = record['dev-id'];
  let time = record.time;
  if (id === undefined && record.dev_id !== undefined) {
    const { ts } = record;
    id = record.dev_id;
    time = ts instanceof Date ? ts.getTime() : typeof ts === 'string' && ISO_INSTANT.test(ts) ? Date.parse(ts) : Number.NaN;
    if (Number.isNaN(time))
      throw new RecordError(`ts: ${ts instanceof Date ? 'an invalid date' : JSON.stringify(ts)} is not an ISO 8601 date-time with a zone`);
  }
  return {
    'dev-id': id,
    time: toNumber(time),
    temperature: toNumber(record.temperature),
    humidity: toOptionalNumber(record.humidity),
    pressure: toOptionalNumber(record.pressure),
    battery: toOptionalNumber(record.battery),
    acceleration: toOptionalNumber(record.acceleration),
    acceleration_x: toOptionalNumber(record.acceleration_x),
    acceleration_y: toOptionalNumber(record.acceleration_y),
    acceleration_z: toOptionalNumber(record.acceleration_z),
  };
}

/** Parses a reading or throws a RecordError naming each bad field. */
export function parseReading(fields: unknown): Reading {
  return parseRecord(ReadingSchema, normalize(fields));
}

const days = new Map<number, string>();

/** The reading's UTC day, as 'YYYY-MM-DD' (remembered: a file holds few days and many readings). */
export function dayOf(epochMs: number): string {
  const day = Math.floor(epochMs / 86_400_000);
  let text = days.get(day);
  if (text === undefined) {
    text = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (days.size > 10_000) days.clear();
    days.set(day, text);
  }
  return text;
}
