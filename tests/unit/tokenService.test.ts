import { SignJWT } from 'jose';
import { TokenService } from '../../layers/platform/src/auth/TokenService';
import { AuthenticationError, ConfigurationError } from '../../layers/platform/src/errors';

const secret = 'x'.repeat(48);

describe('API tokens', () => {
  const tokens = new TokenService(secret, 900);

  it('round-trips the tenant', async () => {
    const issued = await tokens.issue('zoo');
    await expect(tokens.verify(issued.token)).resolves.toEqual({ tenant: 'zoo' });
    expect(issued.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('refuses an expired token', async () => {
    const { token } = await tokens.issue('zoo', new Date(Date.now() - 3600_000));
    await expect(tokens.verify(token)).rejects.toThrow(/expired; log in again/);
  });

  it('refuses a tampered token', async () => {
    const { token } = await tokens.issue('zoo');
    const [header, , signature] = token.split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'shop', iss: 'mysimbdp', aud: 'mysimbdp-api', exp: 9999999999 })).toString('base64url');
    await expect(tokens.verify(`${header}.${payload}.${signature}`)).rejects.toThrow(AuthenticationError);
    await expect(tokens.verify('not.a.token')).rejects.toThrow(/invalid/);
  });

  it('refuses a token signed with another key, or without a signature', async () => {
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('zoo')
      .setIssuer('mysimbdp')
      .setAudience('mysimbdp-api')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('y'.repeat(48)));
    await expect(tokens.verify(forged)).rejects.toThrow(/signed by another key/);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"zoo"}').toString('base64url')}.`;
    await expect(tokens.verify(unsigned)).rejects.toThrow(AuthenticationError);
  });

  it('will not run with a short secret', () => {
    expect(() => new TokenService('short', 900)).toThrow(ConfigurationError);
  });
});
