/**
 * The `--json` documents of tsdmsetup, one JSON Schema (draft 2020-12, a plain subset: type,
 * properties, required, additionalProperties, items, enum, pattern, minimum, anyOf, local $ref)
 * per document.
 * Every document is one line on stdout, printed once the command has run; errors stay on stderr,
 * and the exit status is dmsetup's. `tsdmsetup help --json` prints them all; the tests validate
 * every command's output against them.
 *
 * Numbers are exact: a count that could pass 2^53 (sectors in a report field, say) is a number
 * up to Number.MAX_SAFE_INTEGER and a decimal string beyond it.
 */

/** The JSON Schema subset these documents use. */
export interface JsonSchema {
  type?: JsonType | JsonType[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: (string | number | boolean | null)[];
  pattern?: string;
  minimum?: number;
  anyOf?: JsonSchema[];
  /** Only `#/$defs/<name>`, into the document schema's own `$defs`. */
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** JSON Schema's type names. */
export type JsonType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'null';

const string: JsonSchema = { type: 'string' };
const boolean: JsonSchema = { type: 'boolean' };
const uint: JsonSchema = { type: 'integer', minimum: 0 };
const hex: JsonSchema = { type: 'string', pattern: '^0x[0-9a-f]+$' };
/** A count that stays exact past 2^53: a number, or its decimal string. */
const exact: JsonSchema = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?[0-9]+$' }] };

function object(properties: Record<string, JsonSchema>, optional: string[] = [], description?: string): JsonSchema {
  return {
    type: 'object',
    ...(description !== undefined && { description }),
    properties,
    required: Object.keys(properties).filter((key) => !optional.includes(key)),
    additionalProperties: false,
  };
}

const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

const info = object(
  {
    name: string,
    uuid: string,
    major: uint,
    minor: uint,
    openCount: { type: 'integer', minimum: -1 },
    eventNr: uint,
    targetCount: uint,
    suspended: boolean,
    readOnly: boolean,
    liveTable: boolean,
    inactiveTable: boolean,
    deferredRemove: boolean,
    internalSuspend: boolean,
    readAhead: { type: ['integer', 'null'], minimum: 0, description: 'Sectors; null when it cannot be read.' },
  },
  [],
  "A device's state, as `info` shows it.",
);

const rows = list(object({ start: exact, length: exact, type: string, params: string }, [], 'One table or status line; sectors.'));

/** Report rows (`-c`): the shown fields by id; numeric fields as exact numbers, others as text. */
const report = object({ report: list({ type: 'object', additionalProperties: { anyOf: [string, exact] } }) });

const treeNode: JsonSchema = {
  type: 'object',
  properties: {
    name: { type: ['string', 'null'], description: 'null for a device that is not device-mapper\'s.' },
    major: uint,
    minor: uint,
    uuid: string,
    suspended: boolean,
    readOnly: boolean,
    openCount: { type: 'integer', minimum: -1 },
    children: list({ $ref: '#/$defs/node' }),
  },
  required: ['name', 'major', 'minor', 'children'],
  additionalProperties: false,
};

const counterNames = ['reads', 'readsMerged', 'readSectors', 'readNs', 'writes', 'writesMerged', 'writeSectors', 'writeNs', 'inProgress', 'ioNs', 'weightedIoNs', 'totalReadNs', 'totalWriteNs'];
const statsCounters = object(
  { ...Object.fromEntries(counterNames.map((name) => [name, exact])), histogram: list(exact) },
  ['histogram'],
  'The kernel\'s 13 counters of one area (times in nanoseconds), and its histogram bins if it has them.',
);
const statsArea = object({ start: exact, length: exact, counters: statsCounters }, [], 'One area of a region; sectors.');
const deviceRegion = object({ name: string, regionId: exact });
const statsDocument = (key: string, item: JsonSchema): JsonSchema => object({ [key]: list(item) });

/** One document: the command line that prints it, and its schema. */
export interface JsonDocument {
  /** The command, and the option that picks this document among the command's, if any. */
  command: string;
  variant?: string;
  schema: JsonSchema;
}

/** Every --json document, by command (and variant). */
export const JSON_DOCUMENTS: readonly JsonDocument[] = [
  { command: 'info', schema: object({ devices: list(info) }) },
  { command: 'info', variant: '-c', schema: report },
  { command: 'wait', schema: object({ devices: list(info) }) },
  {
    command: 'ls',
    schema: object({ devices: list(object({ name: string, major: uint, minor: uint, eventNr: uint, uuid: string }, ['eventNr', 'uuid'])) }),
  },
  { command: 'ls', variant: '--target', schema: object({ devices: list(object({ name: string, major: uint, minor: uint })) }) },
  { command: 'ls', variant: '--tree', schema: { ...object({ tree: list({ $ref: '#/$defs/node' }) }), $defs: { node: treeNode } } },
  { command: 'table', schema: object({ devices: list(object({ name: string, rows })) }) },
  { command: 'status', schema: object({ devices: list(object({ name: string, rows })) }) },
  { command: 'deps', schema: object({ devices: list(object({ name: string, deps: list(object({ major: uint, minor: uint, name: string }, ['name'])) })) }) },
  { command: 'targets', schema: object({ targets: list(object({ name: string, version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' } })) }) },
  { command: 'target-version', schema: object({ targets: list(object({ name: string, version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' } })) }) },
  { command: 'version', schema: object({ library: string, driver: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' } }) },
  { command: 'message', schema: object({ response: { type: ['string', 'null'], description: 'null when the target answered nothing.' } }) },
  { command: 'splitname', schema: report },
  { command: 'measure', schema: object({ devices: list(object({ name: string, rows })) }) },
  { command: 'stats', variant: 'list', schema: report },
  { command: 'stats', variant: 'report', schema: report },
  { command: 'stats', variant: 'create', schema: statsDocument('regions', object({ name: string, regionId: uint, areaCount: exact })) },
  { command: 'stats', variant: 'print', schema: statsDocument('regions', object({ name: string, regionId: exact, areas: list(statsArea) })) },
  { command: 'stats', variant: 'delete', schema: statsDocument('deleted', object({ name: string, regionId: exact, groupId: exact }, ['regionId', 'groupId'])) },
  { command: 'stats', variant: 'clear', schema: statsDocument('cleared', deviceRegion) },
  { command: 'stats', variant: 'group', schema: statsDocument('groups', object({ name: string, groupId: uint, alias: string, regions: string })) },
  { command: 'stats', variant: 'ungroup', schema: statsDocument('ungrouped', object({ name: string, groupId: exact })) },
  {
    command: 'mangle',
    schema: object({
      devices: list(object({ name: string, uuid: string, renamedTo: { type: ['string', 'null'], description: 'The new name; null when name and uuid were in the right form.' } })),
    }),
  },
  { command: 'udevflags', schema: object({ cookie: hex, flags: list({ type: 'string', pattern: '^DM_[A-Z0-9_]+$' }) }) },
  { command: 'udevcookies', schema: object({ cookies: list(object({ cookie: hex, semid: uint, value: uint, lastSemopTime: uint, lastChangeTime: uint })) }) },
  { command: 'udevcomplete', schema: object({ completed: hex }) },
  { command: 'udevcreatecookie', schema: object({ cookie: hex }) },
  { command: 'udevcomplete_all', schema: object({ destroyed: uint, skipped: uint, declined: { enum: [true] } }, ['declined']) },
];

/** The schema of the document `command` prints with these options; undefined when it prints none. */
export function jsonSchemaFor(command: string, options: { columns?: boolean; target?: string; tree?: boolean; subcommand?: string }): JsonSchema | undefined {
  const variant = command === 'stats' ? options.subcommand : command === 'info' && options.columns ? '-c' : command === 'ls' && options.target !== undefined ? '--target' : command === 'ls' && options.tree ? '--tree' : undefined;
  return JSON_DOCUMENTS.find((document) => document.command === command && document.variant === variant)?.schema;
}
