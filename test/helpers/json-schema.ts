/**
 * A validator for the JSON Schema subset of cli/json-schemas.ts (type, properties, required,
 * additionalProperties, items, enum, pattern, minimum, anyOf, local $ref): the list of what does
 * not hold, each with its JSON path, empty when the value is valid. A keyword it does not know
 * is itself an error, so a schema cannot silently check less than it says.
 */
import type { JsonSchema } from '../../cli/json-schemas.js';

const KNOWN = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'pattern', 'minimum', 'anyOf', '$ref', '$defs']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every way `value` breaks `schema` (resolving `$ref` in `root`), as `path: problem` lines. */
export function validateJson(value: unknown, schema: JsonSchema, root: JsonSchema = schema, path = '$'): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(schema)) if (!KNOWN.has(key)) problems.push(`${path}: the schema uses an unknown keyword "${key}"`);
  if (schema.$ref !== undefined) {
    const name = /^#\/\$defs\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name === undefined ? undefined : root.$defs?.[name];
    if (!target) return [...problems, `${path}: unresolvable $ref ${schema.$ref}`];
    return [...problems, ...validateJson(value, target, root, path)];
  }
  if (schema.anyOf && !schema.anyOf.some((option) => validateJson(value, option, root, path).length === 0)) {
    problems.push(`${path}: ${JSON.stringify(value)} matches none of anyOf`);
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((type) => typeMatches(value, type))) return [...problems, `${path}: ${typeOf(value)} where ${types.join(' or ')} is wanted`];
  }
  if (schema.enum && !schema.enum.includes(value as never)) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  if (schema.pattern !== undefined && typeof value === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
    problems.push(`${path}: "${value}" does not match /${schema.pattern}/`);
  }
  if (schema.minimum !== undefined && typeof value === 'number' && value < schema.minimum) problems.push(`${path}: ${value} < ${schema.minimum}`);
  if (Array.isArray(value) && schema.items) value.forEach((item, index) => problems.push(...validateJson(item, schema.items!, root, `${path}[${index}]`)));
  if (typeOf(value) === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in record)) problems.push(`${path}: "${key}" is missing`);
    for (const [key, item] of Object.entries(record)) {
      const property = schema.properties?.[key];
      if (property) problems.push(...validateJson(item, property, root, `${path}.${key}`));
      else if (schema.additionalProperties === false) problems.push(`${path}: "${key}" is not in the schema`);
      else if (typeof schema.additionalProperties === 'object') problems.push(...validateJson(item, schema.additionalProperties, root, `${path}.${key}`));
    }
  }
  return problems;
}
