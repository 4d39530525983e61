import { readFile } from 'node:fs/promises';
import { profileJsonSchema } from '../../layers/platform/src/tenants/profileJsonSchema';

describe('tenants/profile.schema.json', () => {
  it('is the JSON Schema of the profile validator (run `npm run schema` after changing it)', async () => {
    const committed = JSON.parse(await readFile('tenants/profile.schema.json', 'utf8')) as unknown;
    expect(committed).toEqual(profileJsonSchema());
  });
});
