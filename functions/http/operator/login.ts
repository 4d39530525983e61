import { InvalidInputError, loginSource, type OperatorLoginResponse } from '../../../layers/platform/src';
import { publicHttpHandler } from '../httpHandler';

/** `POST /operator/login` `{ password }` -> a short-lived operator token; failures are throttled per client address, as tenants' logins are. */
export const handler = publicHttpHandler<OperatorLoginResponse>(async ({ body, event, platform }) => {
  const { password } = (body ?? {}) as { password?: unknown };
  if (typeof password !== 'string' || !password) throw new InvalidInputError('send {"password": "<operator password>"}');
  const issued = await platform.operatorLogins.login(password, loginSource(event.requestContext?.http?.sourceIp));
  return { body: { token: issued.token, tokenType: 'Bearer', role: 'operator', expiresAt: issued.expiresAt.toISOString() } satisfies OperatorLoginResponse };
});
