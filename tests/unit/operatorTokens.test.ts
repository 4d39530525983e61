import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { AccessDeniedError, AuthenticationError } from '../../layers/platform/src/errors';
import { OperatorTokens } from '../../layers/platform/src/operator/OperatorTokens';

const secret = 'x'.repeat(48);

describe('operator tokens', () => {
  const operator = new OperatorTokens(secret, 900);
  const tenants = new TokenService(secret, 900);

  it('verifies an operator token', async () => {
    const issued = await operator.issue();
    await expect(operator.verify(issued.token)).resolves.toBeUndefined();
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('refuses a tenant token on operator routes (403), and an operator token on tenant routes (401)', async () => {
    const tenant = await tenants.issue('zoo');
    await expect(operator.verify(tenant.token)).rejects.toThrow(AccessDeniedError);
    await expect(operator.verify(tenant.token)).rejects.toThrow(/tenant zoo/);
    await expect(tenants.verify((await operator.issue()).token)).rejects.toThrow(AuthenticationError);
  });

  it('refuses an expired, tampered or foreign-key token', async () => {
    await expect(operator.verify((await operator.issue(new Date(Date.now() - 3_600_000))).token)).rejects.toThrow(/expired/);
    const [header, payload] = (await operator.issue()).token.split('.');
    await expect(operator.verify(`${header}.${payload}.AAAA`)).rejects.toThrow(AuthenticationError);
    await expect(operator.verify((await new OperatorTokens('y'.repeat(48), 900).issue()).token)).rejects.toThrow(/invalid/);
  });
});
