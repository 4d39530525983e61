import { isTenantId } from '../../tenants/TenantId';
import type { BatchIngestApp } from './BatchIngestApp';
import { genericBatchIngestApp } from './genericBatchIngestApp';
import { genericStreamIngestApp } from './genericStreamIngestApp';
import type { StreamIngestApp } from './StreamIngestApp';

function isModuleNotFound(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return (
    /Cannot find module|Could not resolve|ERR_MODULE_NOT_FOUND|Unknown variable dynamic import|Module not found in bundle/.test(message) ||
    (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
  );
}

interface AppKind<T> {
  readonly file: string;
  readonly method: string;
  readonly generic: T;
  /** The import, with the tenant in a pattern the bundler expands to every tenant's file. */
  readonly load: (tenant: string) => Promise<unknown>;
  readonly cache: Map<string, Promise<T>>;
}

const batch: AppKind<BatchIngestApp> = {
  file: 'batchIngestApp.ts',
  method: 'plan',
  generic: genericBatchIngestApp,
  load: (tenant) => import(`../../../../../tenants/${tenant}/batchIngestApp.ts`),
  cache: new Map(),
};

const stream: AppKind<StreamIngestApp> = {
  file: 'streamIngestApp.ts',
  method: 'toRows',
  generic: genericStreamIngestApp,
  load: (tenant) => import(`../../../../../tenants/${tenant}/streamIngestApp.ts`),
  cache: new Map(),
};

function loadApp<T>(kind: AppKind<T>, tenant: string): Promise<T> {
  if (!isTenantId(tenant)) return Promise.resolve(kind.generic);
  let app = kind.cache.get(tenant);
  if (!app) {
    // The bundler's pattern import throws at once (not a rejection) for a tenant without the file.
    app = Promise.resolve()
      .then(() => kind.load(tenant))
      .then(
        (module) => {
          const candidate = (module as { default?: Record<string, unknown> }).default;
          if (typeof candidate?.[kind.method] !== 'function') {
            throw new TypeError(`tenants/${tenant}/${kind.file} must default-export an app with a ${kind.method}() function`);
          }
          return candidate as T;
        },
        (error: unknown) => {
          if (isModuleNotFound(error)) return kind.generic;
          throw error;
        },
      );
    kind.cache.set(tenant, app);
  }
  return app;
}

/**
 * The tenant's batch ingest app from `tenants/<tenant>/batchIngestApp.ts`, or
 * the generic app when the tenant has none. The import is a pattern, so the
 * bundler packs every tenant's app into the function.
 *
 * @example
 * const app = await loadBatchIngestApp('zoo');
 */
export function loadBatchIngestApp(tenant: string): Promise<BatchIngestApp> {
  return loadApp(batch, tenant);
}

/** The tenant's stream ingest app from `tenants/<tenant>/streamIngestApp.ts`, or the generic one. */
export function loadStreamIngestApp(tenant: string): Promise<StreamIngestApp> {
  return loadApp(stream, tenant);
}
