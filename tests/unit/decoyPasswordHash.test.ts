import { DECOY_PASSWORD_HASH, hashPassword, isPasswordHash, verifyPassword } from '../../layers/platform/src/auth/passwordHash';

const parameters = (hash: string) => /^\$scrypt\$([^$]+)\$/.exec(hash)?.[1];

describe('the decoy hash an unknown tenant id is checked against', () => {
  it('has the cost of a new tenant password, so that checking it takes as long', async () => {
    expect(isPasswordHash(DECOY_PASSWORD_HASH)).toBe(true);
    expect(parameters(DECOY_PASSWORD_HASH)).toBe(parameters(await hashPassword('any password at all')));
    expect(parameters(DECOY_PASSWORD_HASH)).toBe('ln=15,r=8,p=1');
  });

  it('matches no password', async () => {
    for (const password of ['', 'mysimbdp-decoy-password', 'zoo-demo-password'])
      await expect(verifyPassword(password, DECOY_PASSWORD_HASH)).resolves.toBe(false);
  });
});
