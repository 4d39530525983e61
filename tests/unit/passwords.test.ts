import { readFile } from 'node:fs/promises';
import { generateAmqpSecret, rabbitPasswordHash, verifyRabbitPasswordHash } from '../../layers/platform/src/auth/amqpPasswordHash';
import { hashPassword, verifyPassword } from '../../layers/platform/src/auth/passwordHash';

describe('credentials are stored as hashes', () => {
  it('verifies a scrypt hash and refuses a wrong password', async () => {
    const stored = await hashPassword('correct horse battery', 10);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(stored).not.toContain('correct horse');
    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
    await expect(verifyPassword('anything', 'not-a-hash')).resolves.toBe(false);
  });

  it('salts: the same password hashes differently', async () => {
    expect(await hashPassword('same password', 10)).not.toEqual(await hashPassword('same password', 10));
  });

  it('matches the demo tenants against the passwords docs/tenants.md gives', async () => {
    for (const tenant of ['zoo', 'shop']) {
      const { passwordHash } = JSON.parse(await readFile(`tenants/${tenant}/credentials.json`, 'utf8')) as { passwordHash: string };
      await expect(verifyPassword(`${tenant}-demo-password`, passwordHash)).resolves.toBe(true);
    }
  });

  it("uses RabbitMQ's salted SHA-256 format for random AMQP secrets", () => {
    const secret = generateAmqpSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const stored = rabbitPasswordHash(secret);
    expect(Buffer.from(stored, 'base64')).toHaveLength(36);
    expect(verifyRabbitPasswordHash(secret, stored)).toBe(true);
    expect(verifyRabbitPasswordHash(`${secret}x`, stored)).toBe(false);
  });
});
