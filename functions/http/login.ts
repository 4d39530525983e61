import { InvalidInputError, isTenantId, loginSource } from '../../layers/platform/src';
import { publicHttpHandler } from './httpHandler';

const LOGIN_BODY = 'send {"tenant": "<tenant id>", "password": "<password>"}';
const MAX_PASSWORD_LENGTH = 1024;

/**
 * `POST /auth/login` `{ tenant, password }` -> a short-lived bearer token.
 * Failed logins are throttled per client address: API Gateway's (and
 * serverless offline's) `sourceIp`, the address of the connection it
 * received, never a header the client could set.
 */
export const handler = publicHttpHandler(async ({ body, event, platform }) => {
  const { tenant, password } = (body ?? {}) as { tenant?: unknown; password?: unknown };
  if (typeof tenant !== 'string' || typeof password !== 'string' || !tenant || !password) throw new InvalidInputError(LOGIN_BODY);
  if (!isTenantId(tenant)) throw new InvalidInputError(`${LOGIN_BODY}: a tenant id is 2-31 lower-case letters and digits, starting with a letter`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new InvalidInputError(`${LOGIN_BODY}: a password has at most ${MAX_PASSWORD_LENGTH} characters`);
  const issued = await platform.logins.login(tenant, password, loginSource(event.requestContext?.http?.sourceIp));
  return { body: { token: issued.token, tokenType: 'Bearer', tenant: issued.tenant, expiresAt: issued.expiresAt.toISOString() } };
});
