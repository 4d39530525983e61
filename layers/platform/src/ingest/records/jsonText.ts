/**
 * A value as JSON text, for any value a reader yields: a BigInt is its exact
 * digits (a JSON number when it is a safe integer, else a string, as no JSON
 * reader keeps a larger one exact), bytes (a Buffer or Uint8Array) are base64
 * text, and a Date is its ISO 8601 instant (as `JSON.stringify` says it).
 *
 * @example
 * jsonText({ id: 12n, big: 2n ** 64n, raw: Buffer.from('hi') }); // '{"id":12,"big":"18446744073709551616","raw":"aGk="}'
 */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    // The value before its toJSON (a Buffer's toJSON makes a list of its bytes).
    const original = this[key];
    if (typeof original === 'bigint') return Number.isSafeInteger(Number(original)) ? Number(original) : original.toString();
    if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
    return converted;
  });
}
