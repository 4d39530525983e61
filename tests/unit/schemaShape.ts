// The shape of a JSON Schema, as far as a client reading or sending the body
// depends on it: types, nullability, enums, properties and which are required,
// array items, map values, alternatives. Descriptions, examples, formats,
// patterns and bounds are left out. Both the OpenAPI document's schemas and
// the zod schemas of the API's contract (through z.toJSONSchema) reduce to it,
// so that `shapeDifferences` can tell where they differ.

export type Shape =
  | { readonly kind: 'any'; readonly nullable: boolean }
  | { readonly kind: 'string' | 'integer' | 'number' | 'boolean'; readonly nullable: boolean; readonly enum?: readonly string[] }
  | { readonly kind: 'array'; readonly nullable: boolean; readonly items: Shape }
  | { readonly kind: 'map'; readonly nullable: boolean; readonly values: Shape }
  | { readonly kind: 'object'; readonly nullable: boolean; readonly properties: Readonly<Record<string, Shape>>; readonly required: readonly string[] }
  | { readonly kind: 'union'; readonly nullable: boolean; readonly of: readonly Shape[] };

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a local `$ref` (`#/components/schemas/X`, `#/$defs/X`) points at in `root`. */
function resolve(ref: string, root: unknown): Schema {
  const target = ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (isSchema(node) ? node[key] : undefined), root);
  if (!isSchema(target)) throw new Error(`${ref} points at no schema`);
  return target;
}

const nullable = (shape: Shape): Shape => ({ ...shape, nullable: true });

function mergeObjects(shapes: readonly Shape[]): Shape {
  const properties: Record<string, Shape> = {};
  const required = new Set<string>();
  for (const shape of shapes) {
    if (shape.kind === 'any') continue;
    if (shape.kind !== 'object') throw new Error(`allOf of a ${shape.kind}: only objects are merged`);
    Object.assign(properties, shape.properties);
    for (const name of shape.required) required.add(name);
  }
  return { kind: 'object', nullable: false, properties, required: [...required].sort() };
}

/** The shape of `schema`, whose `$ref`s point into `root`. */
export function shapeOf(schema: unknown, root: unknown): Shape {
  if (!isSchema(schema)) return { kind: 'any', nullable: false };
  if (typeof schema.$ref === 'string') return shapeOf(resolve(schema.$ref, root), root);
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...own } = schema;
    return mergeObjects([...allOf.map((member) => shapeOf(member, root)), shapeOf(own, root)]);
  }
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) {
    const isNull = (member: unknown) => isSchema(member) && member.type === 'null';
    const hasNull = alternatives.some(isNull);
    const rest = alternatives.filter((member) => !isNull(member)).map((member) => shapeOf(member, root));
    const [only] = rest;
    if (rest.length === 1 && only) return hasNull ? nullable(only) : only;
    return { kind: 'union', nullable: hasNull, of: rest };
  }
  const types = Array.isArray(schema.type) ? (schema.type as unknown[]) : schema.type === undefined ? [] : [schema.type];
  const isNullable = types.includes('null');
  const [type] = types.filter((each) => each !== 'null');
  const values = schema.const !== undefined ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  const shape = ((): Shape => {
    switch (type) {
      case 'number':
        // Numbers that can only be whole numbers are integers (zod writes a number literal as a number).
        if (values?.every((value) => Number.isInteger(value))) return { kind: 'integer', nullable: false, enum: values.map(String).sort() };
        return { kind: type, nullable: false, ...(values ? { enum: values.map(String).sort() } : {}) };
      case 'string':
      case 'integer':
      case 'boolean':
        return { kind: type, nullable: false, ...(values ? { enum: values.map(String).sort() } : {}) };
      case 'array':
        return { kind: 'array', nullable: false, items: shapeOf(schema.items, root) };
      case 'object':
        return objectShape(schema, root);
      case undefined:
        return isSchema(schema.properties) ? objectShape(schema, root) : { kind: 'any', nullable: false };
      default:
        throw new Error(`type ${String(type)} has no shape`);
    }
  })();
  return isNullable ? nullable(shape) : shape;
}

/**
 * An object's shape: its properties, or a map's values. A map whose keys are
 * an enum (zod's partial record) is the object with each key optional.
 */
function objectShape(schema: Schema, root: unknown): Shape {
  const names = isSchema(schema.propertyNames) && Array.isArray(schema.propertyNames.enum) ? schema.propertyNames.enum.map(String) : undefined;
  if (names && isSchema(schema.additionalProperties)) {
    const value = shapeOf(schema.additionalProperties, root);
    return { kind: 'object', nullable: false, properties: Object.fromEntries(names.map((name) => [name, value])), required: [] };
  }
  if (!isSchema(schema.properties)) {
    return isSchema(schema.additionalProperties)
      ? { kind: 'map', nullable: false, values: shapeOf(schema.additionalProperties, root) }
      : { kind: 'any', nullable: false };
  }
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([name, property]) => [name, shapeOf(property, root)]));
  const required = Array.isArray(schema.required) ? schema.required.map(String).sort() : [];
  return { kind: 'object', nullable: false, properties, required };
}

/** Where `actual` differs from `expected`, one line per difference, each with its path in the body (`$.a.b[]`). */
export function shapeDifferences(expected: Shape, actual: Shape, path = '$'): string[] {
  const differences: string[] = [];
  if (expected.kind !== actual.kind) return [`${path}: ${expected.kind} in the contract, ${actual.kind} in the document`];
  if (expected.nullable !== actual.nullable) {
    differences.push(
      `${path}: ${expected.nullable ? 'nullable' : 'not nullable'} in the contract, ${actual.nullable ? 'nullable' : 'not nullable'} in the document`,
    );
  }
  switch (expected.kind) {
    case 'string':
    case 'integer':
    case 'number':
    case 'boolean': {
      const other = actual as typeof expected;
      if (String(expected.enum) !== String(other.enum)) {
        differences.push(`${path}: values ${expected.enum?.join('|') ?? 'any'} in the contract, ${other.enum?.join('|') ?? 'any'} in the document`);
      }
      break;
    }
    case 'array':
      differences.push(...shapeDifferences(expected.items, (actual as typeof expected).items, `${path}[]`));
      break;
    case 'map':
      differences.push(...shapeDifferences(expected.values, (actual as typeof expected).values, `${path}{}`));
      break;
    case 'union': {
      const other = actual as typeof expected;
      if (expected.of.length !== other.of.length) {
        differences.push(`${path}: ${expected.of.length} alternatives in the contract, ${other.of.length} in the document`);
        break;
      }
      expected.of.forEach((shape, index) => differences.push(...shapeDifferences(shape, other.of[index] as Shape, `${path}|${index}`)));
      break;
    }
    case 'object': {
      const other = actual as typeof expected;
      for (const name of new Set([...Object.keys(expected.properties), ...Object.keys(other.properties)])) {
        const mine = expected.properties[name];
        const theirs = other.properties[name];
        if (!mine) differences.push(`${path}.${name}: in the document only`);
        else if (!theirs) differences.push(`${path}.${name}: in the contract only`);
        else differences.push(...shapeDifferences(mine, theirs, `${path}.${name}`));
        const required = (shape: typeof expected) => (shape.required.includes(name) ? 'required' : 'optional');
        if (mine && theirs && required(expected) !== required(other)) {
          differences.push(`${path}.${name}: ${required(expected)} in the contract, ${required(other)} in the document`);
        }
      }
      break;
    }
    case 'any':
      break;
  }
  return differences;
}
