import { z } from 'zod';
import { TenantProfileSchema } from './TenantProfile';

/**
 * The JSON Schema of `profile.json`, generated from the validator, for
 * editors (`tenants/profile.schema.json`, referenced by each profile's `$schema`).
 */
export function profileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(TenantProfileSchema, { io: 'input', unrepresentable: 'any' }),
    title: 'mysimbdp tenant profile',
    description: 'A tenant of mysimbdp: its batch constraints (sizes with explicit units), its keyspace and its stream settings.',
  };
}
