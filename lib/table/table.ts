/**
 * Device-mapper tables: rows of `{ start, length, type, params }` in 512-byte sectors, their
 * dmsetup text form (`0 2048 linear /dev/loop0 0`, one row a line), and the checks the kernel
 * would otherwise answer with a bare EINVAL.
 */
import { DM_MAX_TYPE_NAME } from '../../native-defs/index.js';
import type { EncodedTarget } from '../ioctl/codec.js';
import { DmError, invalidArgument } from '../errors.js';

/** One row of a table. `start` and `length` are in 512-byte sectors. */
export interface TableRow {
  start: number;
  length: number;
  /** The target type: linear, striped, zero, error, crypt, thin-pool, … */
  type: string;
  /** The target's parameters, as `dmsetup table` shows them. */
  params: string;
}

/** A table text could not be parsed; `line` is 1-based, `source` names the text as dmsetup does. */
export class TableSyntaxError extends DmError {
  constructor(
    message: string,
    readonly line: number,
    readonly source: string,
  ) {
    super(message, { kind: 'invalid-argument', code: 'EINVAL' });
  }
}

/** C's isspace() in the C locale: dmsetup trims and splits with it, so no-break spaces are not white space. */
const C_SPACE = '[ \\t\\n\\v\\f\\r]';
const C_WORD = '[^ \\t\\n\\v\\f\\r]+';
/**
 * dmsetup's `sscanf(line, "%llu %llu %s %n")`: each %llu takes an optional sign and every digit
 * (the lookahead stops the regex from splitting a number in two), and a space in the format
 * matches any amount of white space, none included, so `0 100linear` is three fields.
 */
const ROW = new RegExp(`^${C_SPACE}*([+-]?\\d+)(?!\\d)${C_SPACE}*([+-]?\\d+)(?!\\d)${C_SPACE}*(${C_WORD})${C_SPACE}*`);
const LEADING_SPACE = new RegExp(`^${C_SPACE}+`);
const TRAILING_SPACE = new RegExp(`${C_SPACE}+$`);

/**
 * Parses dmsetup table text with dmsetup's rules: surrounding white space ignored, empty lines and
 * lines starting with `#` skipped, each line `<start> <length> <type> [params]`, and params cut
 * at the first `#`. `source` names the text in errors the way dmsetup does: a file path,
 * `on stdin`, or empty for `--table`; the message is then dmsetup's `Invalid format on line N of
 * table SOURCE.`
 */
export function parseTable(text: string, source = ''): TableRow[] {
  const rows: TableRow[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    const line = raw.replace(TRAILING_SPACE, '').replace(LEADING_SPACE, '');
    if (line === '' || line.startsWith('#')) return;
    const row = parseRow(line);
    if (!row) throw new TableSyntaxError(`Invalid format on line ${lineNumber} of table ${source}.`, lineNumber, source);
    rows.push(row);
  });
  return rows;
}

/**
 * `<start> <length> <type> [params]` → row, or undefined when sscanf would not find the three
 * leading fields. A signed number is kept as written (`-1` stays -1 where strtoull would wrap it);
 * validateTable refuses it either way.
 */
function parseRow(line: string): TableRow | undefined {
  const match = ROW.exec(line);
  if (!match) return undefined;
  const params = line.slice(match[0].length);
  const hash = params.indexOf('#');
  return {
    start: Number(match[1]),
    length: Number(match[2]),
    type: match[3]!,
    params: hash === -1 ? params : params.slice(0, hash),
  };
}

/** One row as `dmsetup table` prints it: `<start> <length> <type> <params>` (a space even when params are empty). */
export function formatRow(row: TableRow): string {
  return `${row.start} ${row.length} ${row.type} ${row.params}`;
}

/** Rows as dmsetup table text, one row a line, each ending in a newline. */
export function formatTable(rows: readonly TableRow[]): string {
  return rows.map((row) => `${formatRow(row)}\n`).join('');
}

/**
 * Checks rows before they reach the kernel: at least one row, whole non-negative sector numbers,
 * rows that start at sector 0 and follow each other without gaps or overlaps, type names of 1-15
 * characters without white space, no NUL in params. Throws a DmError naming the row and the rule.
 */
export function validateTable(rows: readonly TableRow[]): void {
  if (!Array.isArray(rows) || rows.length === 0) throw invalidArgument('A table needs at least one row');
  let expectedStart = 0;
  rows.forEach((row, index) => {
    const where = `Table row ${index + 1}`;
    for (const key of ['start', 'length'] as const) {
      if (!Number.isSafeInteger(row[key]) || row[key] < 0) {
        throw invalidArgument(`${where}: ${key} must be a whole number of sectors, not ${String(row[key])}`);
      }
    }
    if (row.length === 0) throw invalidArgument(`${where}: length must not be 0`);
    if (row.start !== expectedStart) {
      throw invalidArgument(
        `${where} starts at sector ${row.start}, but ${index === 0 ? 'a table starts at sector 0' : `the row before ends at sector ${expectedStart}`}: rows must follow each other without gaps or overlaps`,
      );
    }
    expectedStart = row.start + row.length;
    if (typeof row.type !== 'string' || !/^\S+$/.test(row.type)) {
      throw invalidArgument(`${where}: the target type "${String(row.type)}" must be one word`);
    }
    if (Buffer.byteLength(row.type) >= DM_MAX_TYPE_NAME) {
      throw invalidArgument(`Target type name ${row.type} is too long.`);
    }
    if (typeof row.params !== 'string' || row.params.includes('\0')) {
      throw invalidArgument(`${where}: params must be a string without NUL characters`);
    }
  });
}

/**
 * The kernel splits params at white space and treats `\` as an escape; libdevmapper doubles every
 * backslash so that params reach the target as written. We do the same.
 */
export function escapeParamsForKernel(params: string): string {
  return params.replace(/\\/g, '\\\\');
}

/** Rows as the codec sends them. */
export function encodeTable(rows: readonly TableRow[]): EncodedTarget[] {
  return rows.map((row) => ({ start: row.start, length: row.length, type: row.type, params: escapeParamsForKernel(row.params) }));
}
