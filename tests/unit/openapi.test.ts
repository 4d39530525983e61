import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

async function readYaml(relativePath: string): Promise<unknown> {
  return parse(await readFile(new URL(relativePath, import.meta.url), 'utf8')) as unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `httpApi` routes of serverless.yml, as 'METHOD /path' (`'GET /x'` or `{ method, path }`). */
function serverlessRoutes(config: unknown): string[] {
  const functions = isRecord(config) && isRecord(config.functions) ? config.functions : {};
  const routes: string[] = [];
  for (const definition of Object.values(functions)) {
    // Events may be a `${file(...)}` variable, which YAML reads as a string: no httpApi route there.
    const events = isRecord(definition) && Array.isArray(definition.events) ? (definition.events as unknown[]) : [];
    for (const event of events) {
      const route = isRecord(event) ? event.httpApi : undefined;
      if (typeof route === 'string') {
        const [method = '', path = ''] = route.trim().split(/\s+/);
        routes.push(`${method.toUpperCase()} ${path}`);
      } else if (isRecord(route)) {
        routes.push(`${String(route.method).toUpperCase()} ${String(route.path)}`);
      }
    }
  }
  return routes.sort();
}

/** The operations of openapi.yaml, as 'METHOD /path'. */
function openapiRoutes(document: unknown): string[] {
  const paths = isRecord(document) && isRecord(document.paths) ? document.paths : {};
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      (isRecord(item) ? Object.keys(item).filter((key) => HTTP_METHODS.includes(key)) : []).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

const routes = serverlessRoutes(await readYaml('../../serverless.yml'));
const openapi = await readYaml('../../docs/openapi.yaml');
const documented = openapiRoutes(openapi);

describe('docs/openapi.yaml', () => {
  it('is OpenAPI 3.1 and finds routes in both files', () => {
    expect(isRecord(openapi) && openapi.openapi).toMatch(/^3\.1\./);
    expect(routes.length).toBeGreaterThan(0);
    expect(documented.length).toBeGreaterThan(0);
  });

  it('documents every httpApi route of serverless.yml', () => {
    expect(routes.filter((route) => !documented.includes(route))).toEqual([]);
  });

  it('documents no route that serverless.yml lacks', () => {
    expect(documented.filter((route) => !routes.includes(route))).toEqual([]);
  });
});
