import { writeFile } from 'node:fs/promises';
import { profileJsonSchema } from '../layers/platform/src';

await writeFile('tenants/profile.schema.json', `${JSON.stringify(profileJsonSchema(), null, 2)}\n`);
console.log('wrote tenants/profile.schema.json');
