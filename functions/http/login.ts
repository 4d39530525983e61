import { InvalidInputError, isTenantId, loginSource, type LoginResponse } from '../../layers/platform/src';
import { deviceCookie, deviceCookieOf, overHttps } from './deviceCookie';
import { publicHttpHandler } from './httpHandler';

const LOGIN_BODY = 'send {"tenant": "<tenant id>", "password": "<password>"}';
const MAX_PASSWORD_LENGTH = 1024;
const MAX_DEVICE_TOKEN_LENGTH = 1024;

/**
 * `POST /auth/login` `{ tenant, password, deviceToken? }` -> a short-lived
 * bearer token, and a device token for the next logins: in the body (for API
 * clients, which send it back as `deviceToken`) and as the `mysimbdp_device`
 * cookie (for the dashboard, whose browser sends it back by itself). A device
 * token in the body wins over the cookie.
 *
 * Failed logins are throttled per client address: API Gateway's (and
 * serverless offline's) `sourceIp`, the address of the connection it
 * received, never a header the client could set.
 */
export const handler = publicHttpHandler<LoginResponse>(async ({ body, event, platform }) => {
  const { tenant, password, deviceToken } = (body ?? {}) as { tenant?: unknown; password?: unknown; deviceToken?: unknown };
  if (typeof tenant !== 'string' || typeof password !== 'string' || !tenant || !password) throw new InvalidInputError(LOGIN_BODY);
  if (!isTenantId(tenant)) throw new InvalidInputError(`${LOGIN_BODY}: a tenant id is 2-31 lower-case letters and digits, starting with a letter`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new InvalidInputError(`${LOGIN_BODY}: a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  if (deviceToken !== undefined && deviceToken !== null && (typeof deviceToken !== 'string' || deviceToken.length > MAX_DEVICE_TOKEN_LENGTH)) {
    throw new InvalidInputError(`deviceToken must be the device token of an earlier login, a string of at most ${MAX_DEVICE_TOKEN_LENGTH} characters`);
  }
  const issued = await platform.logins.login({
    tenant,
    password,
    source: loginSource(event.requestContext?.http?.sourceIp),
    deviceToken: (typeof deviceToken === 'string' && deviceToken) || deviceCookieOf(event)?.slice(0, MAX_DEVICE_TOKEN_LENGTH),
  });
  return {
    body: {
      token: issued.token,
      tokenType: 'Bearer',
      tenant: issued.tenant,
      expiresAt: issued.expiresAt.toISOString(),
      deviceToken: issued.device.token,
      deviceTokenExpiresAt: issued.device.expiresAt.toISOString(),
    } satisfies LoginResponse,
    cookies: [deviceCookie(issued.device.token, platform.config.auth.deviceTokenTtlSeconds, overHttps(event))],
  };
});
