/** An answer of the API other than 2xx, with the platform's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The platform's API, on the page's own origin, with the bearer token kept in
 * memory only (never in storage): closing or reloading the page logs out.
 * The login's device token is a cookie the page's script never sees
 * (`mysimbdp_device`, HttpOnly): the browser keeps it and sends it back with
 * the next login, so that failed logins of others behind the same address do
 * not lock this browser out.
 */
export class Api {
  private token: string | undefined;

  /** Called when the token is refused (expired): the page goes back to the login form. */
  onUnauthorized: (message: string) => void = () => undefined;

  setToken(token: string | undefined): void {
    this.token = token;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      // Same origin only: the device cookie goes with the login, and to no other site.
      credentials: 'same-origin',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (!response.ok) {
      const message = (parsed as { message?: string }).message ?? `HTTP ${response.status}`;
      if (response.status === 401 && this.token) this.onUnauthorized(message);
      throw new ApiError(response.status, message);
    }
    return parsed as T;
  }
}
