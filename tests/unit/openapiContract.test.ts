import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ErrorBodySchema, ROUTES } from '../../layers/platform/src/http/contract';
import { shapeDifferences, shapeOf } from './schemaShape';

// docs/openapi.yaml is written by hand, with its prose and examples; the API's
// contract is code. Each request and success body the document describes must
// have the shape of the contract's schema for that route and status, its
// `Error` the shape of every error body, and the document must describe no
// JSON body the contract lacks.

type Document = { paths: Record<string, Record<string, Operation>> };
type Operation = {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
};

const document = parse(await readFile(new URL('../../docs/openapi.yaml', import.meta.url), 'utf8')) as Document;

function operationOf(route: string): Operation | undefined {
  const [method = '', path = ''] = route.split(' ');
  return document.paths[path]?.[method.toLowerCase()];
}

const jsonSchemaOf = (body: { content?: Record<string, { schema?: unknown }> } | undefined) => body?.content?.['application/json']?.schema;

describe('docs/openapi.yaml against the API contract', () => {
  const bodies = Object.entries(ROUTES).flatMap(([route, contract]) => [
    ...('request' in contract ? [{ route, body: 'request', schema: contract.request as z.ZodType, io: 'input' as const }] : []),
    ...Object.entries(contract.responses).map(([status, schema]) => ({ route, body: status, schema: schema as z.ZodType, io: 'output' as const })),
  ]);

  it.each(bodies)('$route $body has the contract shape', ({ route, body, schema, io }) => {
    const operation = operationOf(route);
    expect(operation).toBeDefined();
    const documented = jsonSchemaOf(body === 'request' ? operation?.requestBody : operation?.responses?.[body]);
    expect(documented).toBeDefined();
    const contract = z.toJSONSchema(schema, { io });
    expect(shapeDifferences(shapeOf(contract, contract), shapeOf(documented, document))).toEqual([]);
  });

  it('Error has the shape of every error body', () => {
    const contract = z.toJSONSchema(ErrorBodySchema, { io: 'output' });
    expect(shapeDifferences(shapeOf(contract, contract), shapeOf({ $ref: '#/components/schemas/Error' }, document))).toEqual([]);
  });

  it('describes no JSON request or success body that the contract lacks', () => {
    const described = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) => {
        const route = `${method.toUpperCase()} ${path}`;
        const successes = Object.keys(operation.responses ?? {}).filter((status) => status.startsWith('2') && jsonSchemaOf(operation.responses?.[status]));
        return [...(jsonSchemaOf(operation.requestBody) ? [`${route} request`] : []), ...successes.map((status) => `${route} ${status}`)];
      }),
    );
    const inContract = new Set(bodies.map(({ route, body }) => `${route} ${body}`));
    expect(described.filter((body) => !inContract.has(body))).toEqual([]);
  });
});

describe('shapeDifferences', () => {
  const shape = (schema: unknown) => shapeOf(schema, {});

  it('finds nothing between equal shapes written differently', () => {
    const zod = z.toJSONSchema(z.object({ at: z.iso.datetime().nullable(), kind: z.enum(['a', 'b']), tags: z.array(z.string()).readonly() }));
    const documented = {
      type: 'object',
      required: ['tags', 'kind', 'at'],
      properties: {
        at: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }] },
        kind: { type: 'string', enum: ['b', 'a'] },
        tags: { type: 'array', items: { type: 'string' } },
      },
    };
    expect(shapeDifferences(shape(zod), shape(documented))).toEqual([]);
  });

  it('finds a property missing, an extra one, a type, nullability, an enum and required that differ', () => {
    const zod = z.toJSONSchema(z.object({ a: z.number().int(), b: z.string().nullable(), c: z.enum(['x', 'y']), d: z.boolean(), e: z.string().optional() }));
    const documented = {
      type: 'object',
      required: ['a', 'b', 'c', 'd', 'e'],
      properties: { a: { type: 'number' }, b: { type: 'string' }, c: { type: 'string', enum: ['x'] }, e: { type: 'string' }, f: { type: 'string' } },
    };
    expect(shapeDifferences(shape(zod), shape(documented))).toEqual([
      '$.a: integer in the contract, number in the document',
      '$.b: nullable in the contract, not nullable in the document',
      '$.c: values x|y in the contract, x in the document',
      '$.d: in the contract only',
      '$.e: optional in the contract, required in the document',
      '$.f: in the document only',
    ]);
  });
});
