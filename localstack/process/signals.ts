import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process with this pid runs. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to the process group `pid` leads (a process the local cloud
 * started, with whatever it started), or to the process alone when it leads
 * none; nothing when it is already gone.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** SIGKILL to the group `pid` leads (or the process alone), as in a crash: nothing is flushed or closed. Resolves once the process is gone. */
export async function killGroup(pid: number): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  while (alive(pid)) await sleep(50);
}
