import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TenantCredentials } from './TenantCredentials';
import { isTenantId } from './TenantId';
import type { Tenant } from './Tenant';
import type { TenantProfileInput } from './TenantProfile';
import { parseTenantFiles } from './parseTenantFiles';

/** A tenant from the folder: validated, and its profile as the operator wrote it. */
export interface TenantDefinition {
  readonly tenant: Tenant;
  readonly profileInput: TenantProfileInput;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * The `tenants/` folder: one sub-folder per tenant with `profile.json`,
 * `credentials.json` and, optionally, the tenant's ingest apps. It is the
 * declarative source the operator edits; `tenants provision` copies it into the
 * platform's tenant registry.
 *
 * @example
 * const directory = new TenantDirectory('tenants');
 * const tenants = await directory.list();
 */
export class TenantDirectory {
  constructor(readonly root: string) {}

  folderOf(id: string): string {
    return join(this.root, id);
  }

  /** Ids of the tenant folders (those holding a `profile.json`). */
  async ids(): Promise<string[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const ids: string[] = [];
    for (const entry of entries) {
      if (entry.isDirectory() && isTenantId(entry.name) && (await exists(join(this.root, entry.name, 'profile.json')))) {
        ids.push(entry.name);
      }
    }
    return ids.sort();
  }

  async get(id: string): Promise<Tenant | undefined> {
    const folder = this.folderOf(id);
    if (!isTenantId(id) || !(await exists(join(folder, 'profile.json')))) return undefined;
    const profileText = await readFile(join(folder, 'profile.json'), 'utf8');
    const credentialsText = await readFile(join(folder, 'credentials.json'), 'utf8').catch(() => '{}');
    return parseTenantFiles(id, profileText, credentialsText, folder);
  }

  async list(): Promise<Tenant[]> {
    const tenants: Tenant[] = [];
    for (const id of await this.ids()) {
      const tenant = await this.get(id);
      if (tenant) tenants.push(tenant);
    }
    return tenants;
  }

  /** Each tenant with its profile as written, for the registry. */
  async definitions(): Promise<TenantDefinition[]> {
    const definitions: TenantDefinition[] = [];
    for (const tenant of await this.list()) definitions.push({ tenant, profileInput: await this.readProfileInput(tenant.id) });
    return definitions;
  }

  async readProfileInput(id: string): Promise<TenantProfileInput> {
    return JSON.parse(await readFile(join(this.folderOf(id), 'profile.json'), 'utf8')) as TenantProfileInput;
  }

  async writeProfile(id: string, profile: TenantProfileInput): Promise<void> {
    await mkdir(this.folderOf(id), { recursive: true });
    await writeFile(join(this.folderOf(id), 'profile.json'), `${JSON.stringify(profile, null, 2)}\n`);
  }

  async writeCredentials(id: string, credentials: TenantCredentials): Promise<void> {
    await mkdir(this.folderOf(id), { recursive: true });
    await writeFile(join(this.folderOf(id), 'credentials.json'), `${JSON.stringify(credentials, null, 2)}\n`);
  }

  async remove(id: string): Promise<void> {
    if (!isTenantId(id)) return;
    await rm(this.folderOf(id), { recursive: true, force: true });
  }
}
