// The JSON Schema validators accept names a document does not define (its schemas allow additional
// properties): this finds them, so an answer carries exactly the fields of its version's document
// (no v8 field in a v6 answer, no field of one version's answer in another's).

/** The part of an OpenAPI schema object this walk needs. */
export interface SchemaNode {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode | boolean;
  items?: SchemaNode;
  allOf?: SchemaNode[];
}

type Resolve = (ref: string) => SchemaNode;

/**
 * The dotted paths of every field in `value` that `schema` does not name (array items as `[]`).
 * An object schema with `additionalProperties` (a dictionary such as `_links`) admits any name.
 */
export function undocumentedFields(schema: SchemaNode, value: unknown, resolve: Resolve, path = ''): string[] {
  const node = flatten(schema, resolve);
  if (Array.isArray(value)) {
    return node.items ? value.flatMap((item) => undocumentedFields(node.items ?? {}, item, resolve, `${path}[]`)) : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const found: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    const where = path === '' ? name : `${path}.${name}`;
    const declared = node.properties?.[name];
    if (declared) found.push(...undocumentedFields(declared, field, resolve, where));
    else if (typeof node.additionalProperties === 'object') {
      found.push(...undocumentedFields(node.additionalProperties, field, resolve, where));
    } else if (node.additionalProperties !== true) found.push(where);
  }
  return found;
}

/** The schema with its $ref followed and its allOf parts merged. */
function flatten(schema: SchemaNode, resolve: Resolve): SchemaNode {
  const node = schema.$ref === undefined ? schema : flatten(resolve(schema.$ref), resolve);
  if (!node.allOf) return node;
  const merged: SchemaNode = { ...node, properties: { ...node.properties } };
  for (const part of node.allOf) {
    const flat = flatten(part, resolve);
    merged.properties = { ...merged.properties, ...flat.properties };
    if (merged.items === undefined && flat.items !== undefined) merged.items = flat.items;
    if (merged.additionalProperties === undefined && flat.additionalProperties !== undefined) {
      merged.additionalProperties = flat.additionalProperties;
    }
  }
  return merged;
}
