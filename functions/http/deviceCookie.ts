import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** The cookie the dashboard keeps its device token in. */
export const DEVICE_COOKIE = 'mysimbdp_device';

/** The device token the browser sent in its cookie, if any (API Gateway hands the cookies over as `name=value` strings). */
export function deviceCookieOf(event: APIGatewayProxyEventV2): string | undefined {
  const cookies = event.cookies ?? (event.headers.cookie ?? event.headers.Cookie ?? '').split(';');
  for (const cookie of cookies) {
    const [name, ...value] = cookie.trim().split('=');
    if (name === DEVICE_COOKIE) return value.join('=') || undefined;
  }
  return undefined;
}

/**
 * The `Set-Cookie` value that keeps a device token in the browser: sent back
 * to the login route only (`Path`), never to a request another site starts
 * (`SameSite=Strict`), out of reach of the page's scripts (`HttpOnly`), and
 * only over HTTPS when the API is served over HTTPS (API Gateway says so in
 * `x-forwarded-proto`; the local API is plain HTTP, where a `Secure` cookie
 * would not be kept).
 *
 * @example
 * deviceCookie(token, 2_592_000, true);
 * // 'mysimbdp_device=eyJ...; Max-Age=2592000; Path=/auth/login; HttpOnly; SameSite=Strict; Secure'
 */
export function deviceCookie(token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${DEVICE_COOKIE}=${token}; Max-Age=${maxAgeSeconds}; Path=/auth/login; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Whether the request reached the API over HTTPS. */
export function overHttps(event: APIGatewayProxyEventV2): boolean {
  return (event.headers['x-forwarded-proto'] ?? event.headers['X-Forwarded-Proto'])?.split(',')[0]?.trim().toLowerCase() === 'https';
}
