/**
 * Byte sizes with explicit units, as operators write them in tenant profiles.
 *
 * Decimal units (kB, MB, GB) are powers of 1000; binary units (KiB, MiB, GiB)
 * are powers of 1024.
 *
 * @example
 * parseByteSize('10 MiB'); // 10485760
 * formatByteSize(10485760); // '10 MiB'
 */
const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

export const BYTE_SIZE_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$/;

/** Parses `'<number> <unit>'`; throws a `RangeError` naming the accepted units otherwise. */
export function parseByteSize(text: string): number {
  const match = BYTE_SIZE_PATTERN.exec(text);
  if (!match) {
    throw new RangeError(`"${text}" is not a size: write a number and a unit, e.g. "10 MiB" (units: B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)`);
  }
  const [, amount, unit] = match as unknown as [string, string, string];
  return Math.round(Number(amount) * (UNITS[unit.toLowerCase()] ?? 1));
}

/** Formats a byte count with the largest binary unit that keeps it readable. */
export function formatByteSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${rounded} ${units[unit]}`;
}
