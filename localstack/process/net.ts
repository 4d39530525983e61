import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether something accepts TCP connections on host:port. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean): void => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Polls `check` until it returns true; throws after `timeoutMs`, or as soon as
 * `stillRunning` says the process died.
 */
export async function waitUntil(
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; stillRunning?: () => boolean; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (options.stillRunning && !options.stillRunning()) throw new Error(`${options.what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`${options.what}: not ready after ${Math.round(options.timeoutMs / 1000)} s`);
    await sleep(options.intervalMs ?? 500);
  }
}
