import type {
  BadRowsLinks,
  IngestionList,
  LoginRequest,
  LoginResponse,
  Message,
  MessagesAccepted,
  Profile,
  UploadGrant,
  UploadRequest,
} from '../layers/platform/src';
import type { DeviceTokenStore } from './DeviceTokenFile';
import { TryAgainLater, withBackoff, type BackoffOptions } from './withBackoff';

/** An error answer of the platform API, with its status, code and message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// The API's bodies, as its contract types them; the client's own names for them.
export type { UploadGrant, Ingestion as IngestionView, Profile as ProfileView } from '../layers/platform/src';

/** Statuses that mean "not now": the request was not handled (503), or a gateway lost it (502, 504; retried on reads only). */
const UNAVAILABLE = new Set([502, 503, 504]);
/** Connection failures where the request never reached the platform, so even a POST is safe to send again. */
const NOT_SENT = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

/**
 * The platform's HTTP API, as a tenant's tools use it. A platform that is
 * unavailable (503 with `Retry-After`; once it has answered, a refused
 * connection; for reads also a lost connection or a gateway error) is waited
 * out with backoff for up to `patienceMs` (10 minutes by default), so a run
 * spans an outage; every other error is an {@link ApiError} at once (an API
 * that never answered is a wrong address, not an outage).
 *
 * @example
 * const api = new ApiClient('http://127.0.0.1:3000');
 * await api.login('zoo', password);
 * const profile = await api.profile();
 */
export class ApiClient {
  private token: string | undefined;
  private tenant: string | undefined;
  /** Kept in the process's memory only, to log in again when the token runs out. */
  private credentials: { tenant: string; password: string } | undefined;
  /** Whether the platform ever answered: until then a refused connection is a wrong address, not an outage. */
  private reached = false;

  constructor(
    readonly baseUrl: string,
    private readonly retry: Partial<BackoffOptions> & { readonly devices?: DeviceTokenStore } = {},
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const attempt = () =>
      withBackoff(() => this.callOnce<T>(method, path, body), { patienceMs: this.retry.patienceMs ?? 600_000, onRetry: this.retry.onRetry });
    try {
      return await attempt();
    } catch (error) {
      // A token lives 15 minutes and following a large file can take longer: log in again, once, and repeat the call.
      if (!(error instanceof ApiError) || error.status !== 401 || !this.credentials || path === '/auth/login') throw error;
      await this.login(this.credentials.tenant, this.credentials.password);
      return attempt();
    }
  }

  private async callOnce<T>(method: string, path: string, body?: unknown): Promise<T> {
    const safeToRepeat = method === 'GET';
    let response: Response;
    try {
      response = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      // fetch's own TypeError("fetch failed") says what went wrong in its cause: the socket's error.
      const cause: unknown = (error as Error).cause;
      const reason: unknown = cause ?? (error as Error).message;
      const unreachable = new ApiError(0, 'UNREACHABLE', `the platform API at ${this.baseUrl} is unreachable (${String(reason)}); is it running?`);
      const retry = this.reached && (safeToRepeat || NOT_SENT.test(String(cause)));
      throw retry ? new TryAgainLater(unreachable) : unreachable;
    }
    this.reached = true;
    const text = await response.text();
    let json: Record<string, unknown>;
    try {
      json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      json = { message: text };
    }
    if (!response.ok) {
      const { error, message, ...details } = json;
      const code: unknown = error ?? response.status;
      const reason: unknown = message ?? response.statusText;
      const failure = new ApiError(response.status, String(code), String(reason), details);
      if (response.status === 503 || (safeToRepeat && UNAVAILABLE.has(response.status))) {
        throw new TryAgainLater(failure, Number(response.headers.get('retry-after')) || undefined);
      }
      throw failure;
    }
    return json as T;
  }

  /** Logs in; the client logs in again by itself when the token runs out during a long run. */
  async login(tenant: string, password: string): Promise<void> {
    const devices = this.retry.devices;
    const deviceToken = await devices?.get(this.baseUrl, tenant);
    const request: LoginRequest = { tenant, password, ...(deviceToken ? { deviceToken } : {}) };
    const reply = await this.call<LoginResponse>('POST', '/auth/login', request);
    this.token = reply.token;
    this.tenant = reply.tenant;
    this.credentials = { tenant, password };
    if (devices && reply.deviceToken) {
      // Not keeping it costs only the protection at the next login: say so, and go on.
      await devices.put(this.baseUrl, tenant, reply.deviceToken).catch((error: unknown) => {
        process.emitWarning(`the device token could not be kept (${(error as Error).message}); the next login goes without it`);
      });
    }
  }

  private get tenantPath(): string {
    if (!this.tenant) throw new Error('log in first');
    return `/tenants/${this.tenant}`;
  }

  profile(): Promise<Profile> {
    return this.call('GET', `${this.tenantPath}/profile`);
  }

  grantUpload(fileName: string, size: number, batchId?: string, dryRun = false): Promise<UploadGrant> {
    const request: UploadRequest = { fileName, size, ...(batchId ? { batchId } : {}), ...(dryRun ? { dryRun } : {}) };
    return this.call('POST', `${this.tenantPath}/uploads`, request);
  }

  /** Download links for an ingestion's bad rows. */
  badRows(ingestionId: string): Promise<BadRowsLinks> {
    return this.call('GET', `${this.tenantPath}/ingestions/${encodeURIComponent(ingestionId)}/bad-rows`);
  }

  ingestions(batchId: string): Promise<IngestionList> {
    return this.call('GET', `${this.tenantPath}/ingestions?batch=${encodeURIComponent(batchId)}`);
  }

  sendMessages(messages: readonly Message[]): Promise<MessagesAccepted> {
    return this.call('POST', `${this.tenantPath}/messages`, { messages });
  }
}
