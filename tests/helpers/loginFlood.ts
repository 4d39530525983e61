import { loginFrom, type RawReply } from './requestFrom';

export interface LoginFloodResult {
  /** Every failing login's answer, in the order they finished. */
  readonly flood: RawReply[];
  /** The valid logins made one after the other while the flood ran. */
  readonly valid: RawReply[];
  readonly floodMs: number;
}

export interface LoginFloodOptions {
  readonly apiUrl: string;
  /** The flood's source address (one local address, e.g. 127.0.0.2). */
  readonly floodFrom: string;
  readonly failingLogins: number;
  readonly concurrency: number;
  /** Tenant id of the n-th failing login (unknown ids by default: they never lock a tenant). */
  readonly floodTenant?: (n: number) => string;
  /** The valid login, from another address, repeated while the flood runs. */
  readonly valid: { readonly from: string; readonly tenant: string; readonly password: string };
}

/**
 * A login flood: `failingLogins` wrong logins, `concurrency` at a time, from
 * one source address, while a real tenant logs in from another address one
 * login after the other until the flood is over.
 *
 * @example
 * const { flood, valid } = await runLoginFlood({ apiUrl, floodFrom: '127.0.0.2', failingLogins: 40, concurrency: 10, valid });
 */
export async function runLoginFlood(options: LoginFloodOptions): Promise<LoginFloodResult> {
  const tenantOf = options.floodTenant ?? ((n: number) => `nobody${n}`);
  const flood: RawReply[] = [];
  const valid: RawReply[] = [];
  let next = 0;
  let running = true;
  const begin = performance.now();
  const floodWorker = async (): Promise<void> => {
    while (next < options.failingLogins) {
      const n = next;
      next += 1;
      flood.push(await loginFrom(options.apiUrl, options.floodFrom, tenantOf(n), `wrong-password-${n}`));
    }
  };
  const floodDone = Promise.all(Array.from({ length: options.concurrency }, floodWorker)).finally(() => {
    running = false;
  });
  const validLogins = (async () => {
    // The first valid login starts once the flood is under way.
    while (running && next < options.concurrency) await new Promise((resolve) => setTimeout(resolve, 5));
    while (running) valid.push(await loginFrom(options.apiUrl, options.valid.from, options.valid.tenant, options.valid.password));
  })();
  await floodDone;
  const floodMs = performance.now() - begin;
  await validLogins;
  return { flood, valid, floodMs };
}
