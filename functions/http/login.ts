import { InvalidInputError } from '../../layers/platform/src/errors';
import { publicHttpHandler } from './httpHandler';

/** `POST /auth/login` `{ tenant, password }` -> a short-lived bearer token. */
export const handler = publicHttpHandler(async ({ body, platform }) => {
  const { tenant, password } = (body ?? {}) as { tenant?: unknown; password?: unknown };
  if (typeof tenant !== 'string' || typeof password !== 'string' || !tenant || !password) {
    throw new InvalidInputError('send {"tenant": "<tenant id>", "password": "<password>"}');
  }
  const issued = await platform.logins.login(tenant, password);
  return { body: { token: issued.token, tokenType: 'Bearer', tenant: issued.tenant, expiresAt: issued.expiresAt.toISOString() } };
});
