import { ApiError } from './ApiClient';

/**
 * The CLIs' exit codes, mapped once:
 * 0 all done; 1 some files or messages refused or not ingested;
 * 2 wrong usage; 3 wrong credentials or no access; 4 the platform is unreachable or failing.
 */
export const EXIT = { ok: 0, partial: 1, usage: 2, access: 3, unavailable: 4 } as const;

export function exitCodeOf(error: unknown): number {
  if (error instanceof ApiError) {
    if (error.status === 401 || error.status === 403 || error.status === 429) return EXIT.access;
    if (error.status === 0 || error.status >= 500) return EXIT.unavailable;
    return EXIT.partial;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.usage;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 403 || /ACCESS.REFUSED|\b403\b/.test(message)) return EXIT.access;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || /ECONNREFUSED|ENOTFOUND/.test(message)) return EXIT.unavailable;
  if (/^set \S+ \(no terminal/.test(message)) return EXIT.usage;
  return EXIT.partial;
}

/** Prints what went wrong, in one line a person can act on, and exits with its code. */
export function failWith(command: string, error: unknown): never {
  const message = error instanceof Error ? error.message.replace(/ For details see the broker logfile\.?"?$/, '"') : String(error);
  console.error(`${command}: ${message}`);
  process.exit(exitCodeOf(error));
}
