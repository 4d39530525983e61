/** A CloudFormation template, as `serverless package` writes it. */
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; [key: string]: unknown }>;
  [section: string]: unknown;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  [attribute: string]: unknown;
}

/** A reference from a resource that stays to one set aside, replaced by a placeholder. */
export interface StandIn {
  readonly resource: string;
  readonly setAside: string;
  readonly placeholder: string;
}

export interface DeployableTemplate {
  readonly template: CfnTemplate;
  /** Logical ids set aside, sorted. */
  readonly setAside: string[];
  /** Outputs left out because they name a resource set aside. */
  readonly outputsLeftOut: string[];
  readonly standIns: StandIn[];
  /** The distinct `{{resolve:secretsmanager:...}}` references in what was set aside (the functions' environment). */
  readonly secretReferences: string[];
}

/**
 * Resource types that a LocalStack without Docker cannot create: the functions
 * (its Lambda needs Docker and a runtime download) and the HTTP API in front
 * of them (its open-source edition has no API Gateway v2).
 */
export const FUNCTION_RESOURCE_TYPES = ['AWS::Lambda::', 'AWS::ApiGatewayV2::'] as const;

const SECRET_REFERENCE = /\{\{resolve:secretsmanager:[^}]+\}\}/g;

/** The resource an Fn::GetAtt names, in either spelling (`[Id, Attribute]` or `"Id.Attribute"`). */
function getAttTarget(inner: unknown): string | undefined {
  const target: unknown = Array.isArray(inner) ? (inner as unknown[])[0] : typeof inner === 'string' ? inner.split('.')[0] : undefined;
  return typeof target === 'string' ? target : undefined;
}

/** An Fn::Sub's text and its variables (none in the short form). */
function subParts(inner: unknown): { text: string; variables: Record<string, unknown> | undefined } {
  const [text, variables] = Array.isArray(inner) ? (inner as unknown[]) : [inner];
  return { text: typeof text === 'string' ? text : '', variables: variables as Record<string, unknown> | undefined };
}

function isPseudo(name: string): boolean {
  return name.startsWith('AWS::');
}

/** The logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters left out. */
export function references(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, into);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') {
        if (!isPseudo(inner)) into.add(inner);
      } else if (key === 'Fn::GetAtt') {
        const target = getAttTarget(inner);
        if (target) into.add(target);
        references(Array.isArray(inner) ? (inner as unknown[]).slice(1) : [], into);
      } else if (key === 'Fn::Sub') {
        const { text, variables = {} } = subParts(inner);
        for (const [, name] of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const target = (name as string).split('.')[0] as string;
          if (!isPseudo(target) && !(target in variables)) into.add(target);
        }
        references(variables, into);
      } else {
        references(inner, into);
      }
    }
  }
  return into;
}

function dependsOn(resource: CfnResource): string[] {
  return resource.DependsOn === undefined ? [] : Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
}

/** Everything a resource depends on: its references and its DependsOn. */
function dependencies(resource: CfnResource, resources: Record<string, CfnResource>): Set<string> {
  const found = references(Object.fromEntries(Object.entries(resource).filter(([key]) => key !== 'DependsOn')));
  for (const name of dependsOn(resource)) found.add(name);
  return new Set([...found].filter((name) => name in resources));
}

/** The value with every reference to a set-aside resource replaced by its placeholder. */
function replaceReferences(value: unknown, setAside: ReadonlySet<string>, placeholder: (id: string) => string, replaced: Set<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => replaceReferences(item, setAside, placeholder, replaced));
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [[key, inner]] = entries as [[string, unknown]];
    if (key === 'Ref' && typeof inner === 'string' && setAside.has(inner)) {
      replaced.add(inner);
      return placeholder(inner);
    }
    if (key === 'Fn::GetAtt') {
      const target = getAttTarget(inner);
      if (target && setAside.has(target)) {
        replaced.add(target);
        return placeholder(target);
      }
    }
    if (key === 'Fn::Sub') {
      const { text, variables } = subParts(inner);
      const substituted = text.replace(/\$\{([^!}][^}]*)\}/g, (whole, name: string) => {
        const target = name.split('.')[0] as string;
        if (!setAside.has(target)) return whole;
        replaced.add(target);
        return placeholder(target);
      });
      const rest = variables === undefined ? undefined : replaceReferences(variables, setAside, placeholder, replaced);
      return { 'Fn::Sub': rest === undefined ? substituted : [substituted, rest] };
    }
  }
  return Object.fromEntries(entries.map(([key, inner]) => [key, replaceReferences(inner, setAside, placeholder, replaced)]));
}

/**
 * The part of a packaged stack that a LocalStack without Docker can deploy
 * with CloudFormation. Set aside: the function resources (`FUNCTION_RESOURCE_TYPES`),
 * then, until nothing changes, every resource whose dependencies (Ref,
 * Fn::GetAtt, Fn::Sub, DependsOn) are all set aside. A resource that stays
 * but also refers to one set aside (the bucket's CORS origin names the HTTP
 * API) gets a placeholder in its place; outputs naming one are left out.
 *
 * @example
 * const { template, setAside } = deployableTemplate(packaged);
 */
export function deployableTemplate(packaged: CfnTemplate): DeployableTemplate {
  const resources = packaged.Resources;
  const setAside = new Set(Object.keys(resources).filter((id) => FUNCTION_RESOURCE_TYPES.some((prefix) => resources[id]?.Type.startsWith(prefix))));
  for (let changed = true; changed;) {
    changed = false;
    for (const [id, resource] of Object.entries(resources)) {
      if (setAside.has(id)) continue;
      const needs = dependencies(resource, resources);
      if (needs.size && [...needs].every((name) => setAside.has(name))) {
        setAside.add(id);
        changed = true;
      }
    }
  }

  const placeholder = (id: string): string => `set-aside-${id.toLowerCase()}`;
  const standIns: StandIn[] = [];
  const kept: Record<string, CfnResource> = {};
  for (const [id, resource] of Object.entries(resources)) {
    if (setAside.has(id)) continue;
    const replaced = new Set<string>();
    const copy = replaceReferences(
      Object.fromEntries(Object.entries(resource).filter(([key]) => key !== 'DependsOn')),
      setAside,
      placeholder,
      replaced,
    ) as CfnResource;
    const keptDependsOn = dependsOn(resource).filter((name) => !setAside.has(name));
    for (const name of dependsOn(resource).filter((name) => setAside.has(name))) replaced.add(name);
    if (keptDependsOn.length) copy.DependsOn = keptDependsOn;
    for (const name of replaced) standIns.push({ resource: id, setAside: name, placeholder: placeholder(name) });
    kept[id] = copy;
  }

  const outputs = Object.entries(packaged.Outputs ?? {});
  const outputsLeftOut = outputs.filter(([, output]) => [...references(output)].some((name) => setAside.has(name))).map(([id]) => id);
  const secretReferences = new Set<string>();
  for (const id of setAside) for (const [reference] of JSON.stringify(resources[id]).matchAll(SECRET_REFERENCE)) secretReferences.add(reference);

  return {
    template: {
      ...packaged,
      Resources: kept,
      Outputs: Object.fromEntries(outputs.filter(([id]) => !outputsLeftOut.includes(id))),
    },
    setAside: [...setAside].sort(),
    outputsLeftOut,
    standIns,
    secretReferences: [...secretReferences].sort(),
  };
}
