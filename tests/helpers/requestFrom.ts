import { request } from 'node:http';

export interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON, or `{}` when it is not JSON. */
  readonly body: Record<string, unknown>;
  readonly ms: number;
}

export interface RawRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /**
   * The local address to connect from, e.g. `127.0.0.7`: every address of
   * 127.0.0.0/8 is this machine, so a test can be another client (another
   * `sourceIp`) without another machine.
   */
  readonly from?: string;
}

/**
 * One HTTP request exactly as given (no default headers), from a chosen local
 * address: what a hostile client, a browser or another host would send.
 *
 * @example
 * const reply = await requestFrom({ method: 'POST', url: `${apiUrl}/auth/login`, from: '127.0.0.9', body: '{}' });
 */
export function requestFrom(options: RawRequest): Promise<RawReply> {
  const begin = performance.now();
  return new Promise((resolve, reject) => {
    const outgoing = request(
      options.url,
      { method: options.method, headers: options.headers ?? {}, ...(options.from ? { localAddress: options.from } : {}), agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown>;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            body = {};
          }
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text, body, ms: performance.now() - begin });
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

/** `POST /auth/login` with a JSON body, from a chosen local address. */
export function loginFrom(apiUrl: string, from: string, tenant: string, password: string): Promise<RawReply> {
  return requestFrom({
    method: 'POST',
    url: `${apiUrl}/auth/login`,
    from,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, password }),
  });
}
