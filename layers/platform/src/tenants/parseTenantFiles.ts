import type { z } from 'zod';
import { ConfigurationError } from '../errors';
import type { Tenant } from './Tenant';
import { TenantCredentialsSchema } from './TenantCredentials';
import { TenantProfileSchema } from './TenantProfile';

function describeIssues(source: string, error: z.ZodError): string {
  const issues = error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
  return `${source}: ${issues.join('; ')}`;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${source}: not valid JSON (${(error as Error).message})`, {}, { cause: error });
  }
}

/**
 * Validates a tenant's profile and credentials; a bad file fails with the file
 * and the field named, e.g. `tenants/zoo/profile.json: batch.maxFileSize: ...`.
 *
 * @example
 * const tenant = parseTenantFiles('zoo', profileText, credentialsText, 'tenants/zoo');
 */
export function parseTenantFiles(id: string, profileText: string, credentialsText: string, source: string): Tenant {
  const profileSource = `${source}/profile.json`;
  const profile = TenantProfileSchema.safeParse(parseJson(profileText, profileSource));
  if (!profile.success) throw new ConfigurationError(describeIssues(profileSource, profile.error));
  if (profile.data.tenant !== id) {
    throw new ConfigurationError(`${profileSource}: tenant: "${profile.data.tenant}" does not match its folder "${id}"`);
  }
  const credentialsSource = `${source}/credentials.json`;
  const credentials = TenantCredentialsSchema.safeParse(parseJson(credentialsText, credentialsSource));
  if (!credentials.success) throw new ConfigurationError(describeIssues(credentialsSource, credentials.error));
  return { id, profile: profile.data, credentials: credentials.data };
}
