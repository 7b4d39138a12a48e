/**
 * The --json schemas (cli/json-schemas.ts) and their validator (test/helpers/json-schema.ts): the
 * validator catches each kind of mistake, every schema uses only the subset it knows, the README
 * documents every document, and the kernel-free commands' output is valid. The kernel commands'
 * documents are validated in the VM (test/vm/cli-json-schema.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JSON_DOCUMENTS, jsonSchemaFor, type JsonSchema } from '../../cli/json-schemas.js';
import { runCli } from '../../cli/main.js';
import { validateJson } from '../helpers/json-schema.js';

function schema(command: string, variant?: string): JsonSchema {
  const found = JSON_DOCUMENTS.find((document) => document.command === command && document.variant === variant);
  if (!found) throw new Error(`no schema for ${command} ${variant ?? ''}`);
  return found.schema;
}

async function run(...argv: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, { stdout: { write: (text) => void (stdout += text) }, stderr: { write: (text) => void (stderr += text) } });
  return { status, stdout, stderr };
}

describe('the JSON Schema validator', () => {
  const deviceList = schema('ls');
  it('accepts a valid document and names each problem of an invalid one', () => {
    expect(validateJson({ devices: [{ name: 'a', major: 254, minor: 0 }] }, deviceList)).toEqual([]);
    expect(validateJson({ devices: [{ name: 'a', major: -1, minor: '0', extra: 1 }] }, deviceList)).toEqual([
      '$.devices[0].major: -1 < 0',
      '$.devices[0].minor: string where integer is wanted',
      '$.devices[0]: "extra" is not in the schema',
    ]);
    expect(validateJson({}, deviceList)).toEqual(['$: "devices" is missing']);
    expect(validateJson({ cookie: '0xZ', flags: [] }, schema('udevflags'))).toEqual(['$.cookie: "0xZ" does not match /^0x[0-9a-f]+$/']);
    expect(validateJson({ destroyed: 0, skipped: 0, declined: false }, schema('udevcomplete_all'))).toEqual(['$.declined: false is not one of [true]']);
  });

  it('follows $ref through a recursive tree, and takes exact numbers as numbers or digit strings', () => {
    const tree = schema('ls', '--tree');
    const leaf = { name: null, major: 7, minor: 0, children: [] };
    const node = { name: 'top', major: 254, minor: 1, uuid: '', suspended: false, readOnly: false, openCount: 0, children: [{ ...leaf, children: [{ ...leaf, oops: 1 }] }] };
    expect(validateJson({ tree: [node] }, tree)).toEqual(['$.tree[0].children[0].children[0]: "oops" is not in the schema']);
    const rows = schema('table');
    const row = (start: unknown): unknown => ({ devices: [{ name: 'a', rows: [{ start, length: 1, type: 'zero', params: '' }] }] });
    expect(validateJson(row('18446744073709551615'), rows)).toEqual([]);
    expect(validateJson(row(1.5), rows)).toEqual(['$.devices[0].rows[0].start: 1.5 matches none of anyOf']);
  });

  it('refuses a schema keyword it does not know', () => {
    expect(validateJson(1, { type: 'integer', maximum: 3 } as JsonSchema)).toEqual(['$: the schema uses an unknown keyword "maximum"']);
  });
});

describe('the --json schemas', () => {
  it('use only the keywords the validator knows, all the way down', () => {
    const known = new Set(['type', 'description', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'pattern', 'minimum', 'anyOf', '$ref', '$defs']);
    const walk = (node: JsonSchema, path: string): string[] => [
      ...Object.keys(node).filter((key) => !known.has(key)).map((key) => `${path}.${key}`),
      ...Object.entries(node.properties ?? {}).flatMap(([key, child]) => walk(child, `${path}.properties.${key}`)),
      ...Object.entries(node.$defs ?? {}).flatMap(([key, child]) => walk(child, `${path}.$defs.${key}`)),
      ...(node.items ? walk(node.items, `${path}.items`) : []),
      ...(typeof node.additionalProperties === 'object' ? walk(node.additionalProperties, `${path}.additionalProperties`) : []),
      ...(node.anyOf ?? []).flatMap((child, index) => walk(child, `${path}.anyOf[${index}]`)),
    ];
    expect(JSON_DOCUMENTS.flatMap((document) => walk(document.schema, `${document.command}${document.variant ?? ''}`))).toEqual([]);
    // Every property an object schema lists as required is one it describes.
    const requiredUnknown = (node: JsonSchema): string[] => [
      ...(node.required ?? []).filter((key) => !node.properties?.[key]),
      ...Object.values(node.properties ?? {}).flatMap(requiredUnknown),
      ...(node.items ? requiredUnknown(node.items) : []),
    ];
    expect(JSON_DOCUMENTS.flatMap((document) => requiredUnknown(document.schema))).toEqual([]);
  });

  it('are each documented in the README, by command and variant', () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### JSON output'));
    expect(section.length).toBeGreaterThan(0);
    const missing = JSON_DOCUMENTS.filter((document) => !section.includes(`\`${document.command}${document.variant ? ` ${document.variant}` : ''}\``));
    expect(missing.map((document) => `${document.command} ${document.variant ?? ''}`)).toEqual([]);
  });

  it('pick the document by the options that change it', () => {
    expect(jsonSchemaFor('info', {})).toBe(schema('info'));
    expect(jsonSchemaFor('info', { columns: true })).toBe(schema('info', '-c'));
    expect(jsonSchemaFor('ls', { target: 'zero' })).toBe(schema('ls', '--target'));
    expect(jsonSchemaFor('ls', { tree: true })).toBe(schema('ls', '--tree'));
    expect(jsonSchemaFor('create', {})).toBeUndefined();
  });
});

describe('kernel-free commands print valid documents', () => {
  it('splitname: the report row, with -o honoured', async () => {
    const full = await run('splitname', 'vg--x-lv-_mlog', '--json');
    expect(full).toEqual({ status: 0, stderr: '', stdout: expect.any(String) });
    const document = JSON.parse(full.stdout) as unknown;
    expect(validateJson(document, schema('splitname'))).toEqual([]);
    expect(document).toEqual({ report: [{ vg_name: 'vg-x', lv_name: 'lv', lv_layer: '_mlog' }] });
    const picked = JSON.parse((await run('splitname', 'vg-lv', '-o', 'lv_name', '--json')).stdout) as unknown;
    expect(picked).toEqual({ report: [{ lv_name: 'lv' }] });
  });

  it('udevflags and a flags-only udevcomplete', async () => {
    const flags = JSON.parse((await run('udevflags', '0x00110000', '--json')).stdout) as unknown;
    expect(validateJson(flags, schema('udevflags'))).toEqual([]);
    expect(flags).toEqual({ cookie: '0x110000', flags: ['DM_UDEV_DISABLE_DM_RULES_FLAG', 'DM_UDEV_LOW_PRIORITY_FLAG'] });
    const completed = await run('udevcomplete', '0x0d4d0000', '--json');
    expect(completed.status).toBe(0);
    expect(JSON.parse(completed.stdout)).toEqual({ completed: '0xd4d0000' });
    expect(validateJson(JSON.parse(completed.stdout), schema('udevcomplete'))).toEqual([]);
  });

  it('help --json: every schema, and nothing on stderr', async () => {
    const help = await run('help', '--json');
    expect(help.stderr).toBe('');
    const document = JSON.parse(help.stdout) as { documents: unknown[] };
    expect(document.documents).toEqual(JSON.parse(JSON.stringify(JSON_DOCUMENTS)));
  });
});
