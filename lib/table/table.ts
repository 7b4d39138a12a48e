/**
 * Device-mapper tables: rows of `{ start, length, type, params }` in 512-byte sectors, their
 * dmsetup text form (`0 2048 linear /dev/loop0 0`, one row a line), and the checks the kernel
 * would otherwise answer with a bare EINVAL.
 */
import { DM_MAX_TYPE_NAME } from '../../native-defs/index.js';
import type { EncodedTarget } from '../ioctl/codec.js';
import { SecretParams } from '../targets/secret-params.js';
import { DmError, invalidArgument } from '../errors.js';
import { rows as rowsShape, statusRowRefusal, text as textShape } from '../arguments/checks.js';
import { isSectors, SECTOR_MAX, type Sectors } from '../targets/units.js';

/** One row of a table. `start` and `length` are in 512-byte sectors. */
export interface TableRow {
  /** The row's first sector: 0 for the first row, then the end of the row before (a bigint past 2^53). */
  start: Sectors;
  /** How many 512-byte sectors the row maps (more than 0; a bigint past 2^53). */
  length: Sectors;
  /** The target type: linear, striped, zero, error, crypt, thin-pool, … */
  type: string;
  /**
   * The target's parameters, as `dmsetup table` shows them; in a row with `secret`, with its keys
   * as zeros (as `dmsetup table` without --showkeys).
   */
  params: string;
  /**
   * The params with their keys, when the row carries keys (a crypt or keyed integrity row of a
   * builder or of `table()`): what is loaded instead of `params`, written into the ioctl buffer
   * from the keys' Buffers (no string of a key). Its `hidden` text must equal `params`. Dispose it
   * (`row.secret?.dispose()`) once the row is no longer needed, unless the keys are yours to dispose.
   */
  secret?: SecretParams;
}

/** A table text could not be parsed; `line` is 1-based, `source` names the text as dmsetup does. */
export class TableSyntaxError extends DmError {
  /** A parse failure at `line` (1-based) of the text named `source`; kind 'invalid-argument', code EINVAL. */
  constructor(
    message: string,
    /** The 1-based line of the text that could not be parsed. */
    readonly line: number,
    /** The text's name in dmsetup's message: a file path, `on stdin`, or empty for `--table` text. */
    readonly source: string,
  ) {
    super(message, { kind: 'invalid-argument', code: 'EINVAL' });
  }
}

/** C's isspace() in the C locale: dmsetup trims and splits with it, so no-break spaces are not white space. */
function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Parses dmsetup table text with dmsetup's rules (its _parse_line, then dm_task_add_target's type
 * check): surrounding white space ignored, empty lines and lines starting with `#` skipped, each
 * line `<start> <length> <type> [params]`, and params cut at the first `#`. The first bad line
 * fails, with dmsetup's message: `Invalid format on line N of table SOURCE.`, or `Target type name
 * T is too long.` for a type of DM_MAX_TYPE_NAME bytes or more. `source` names the text the way
 * dmsetup does: a file path, `on stdin`, or empty for `--table`. One pass over the text with
 * index scans (no backtracking regex), so a long run of white space costs linear time.
 */
export function parseTable(text: string, source = ''): TableRow[] {
  if (typeof text !== 'string') textShape(text, 'The table text');
  const rows: TableRow[] = [];
  let lineNumber = 0;
  let at = 0;
  const nul = text.indexOf('\0');
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    lineNumber++;
    // dmsetup's C strings end at a NUL (so the rest of the line would silently vanish): refused.
    // The first NUL is found once, not per line, so the scan stays linear.
    if (nul !== -1 && nul < end) {
      throw new TableSyntaxError(`Invalid format on line ${lineNumber} of table ${source}: it contains a NUL byte.`, lineNumber, source);
    }
    const row = parseLine(text, at, end);
    at = end + 1;
    if (row === 'skip') continue;
    if (!row) throw new TableSyntaxError(`Invalid format on line ${lineNumber} of table ${source}.`, lineNumber, source);
    if (Buffer.byteLength(row.type) >= DM_MAX_TYPE_NAME) {
      throw new TableSyntaxError(`Target type name ${row.type} is too long.`, lineNumber, source);
    }
    rows.push(exactRow(row, lineNumber, source));
  }
  return rows;
}

/**
 * The line `text[from, to)` as a row, `skip` for an empty or comment line, or undefined when
 * dmsetup's `sscanf(line, "%llu %llu %s %n")` would not find the three leading fields. Each %llu
 * skips white space and takes an optional sign and every digit; a space in the format matches any
 * amount of white space, none included, so `0 100linear` is three fields. A signed number is kept
 * as written (`-1` stays -1 where strtoull would wrap it); validateTable refuses it either way.
 */
function parseLine(text: string, from: number, to: number): WrittenRow | 'skip' | undefined {
  let last = to;
  while (last > from && isCSpace(text.charCodeAt(last - 1))) last--;
  let at = from;
  while (at < last && isCSpace(text.charCodeAt(at))) at++;
  if (at === last || text[at] === '#') return 'skip';
  const skipSpace = (): void => {
    while (at < last && isCSpace(text.charCodeAt(at))) at++;
  };
  const number = (): string | undefined => {
    skipSpace();
    const begin = at;
    if (text[at] === '+' || text[at] === '-') at++;
    const digits = at;
    while (at < last && isDigit(text.charCodeAt(at))) at++;
    return at === digits ? undefined : text.slice(begin, at);
  };
  const start = number();
  if (start === undefined) return undefined;
  const length = number();
  if (length === undefined) return undefined;
  skipSpace();
  const typeStart = at;
  while (at < last && !isCSpace(text.charCodeAt(at))) at++;
  if (at === typeStart) return undefined;
  const type = text.slice(typeStart, at);
  skipSpace();
  const params = text.slice(at, last);
  const hash = params.indexOf('#');
  return { start, length, type, params: hash === -1 ? params : params.slice(0, hash) };
}

/** A row as parsed, its numbers as written (so one past 2^53 is named exactly, not rounded). */
interface WrittenRow {
  start: string;
  length: string;
  type: string;
  params: string;
}

/**
 * The row with its numbers exact: a number while safe, a bigint past 2^53-1 (a rounded sector
 * count would silently map another size). One past the kernel's u64 is refused naming it as written.
 */
function exactRow(row: WrittenRow, line: number, source: string): TableRow {
  const value = (key: 'start' | 'length'): Sectors => {
    const number = Number(row[key]);
    if (Number.isSafeInteger(number)) return number;
    const big = BigInt(row[key]);
    if (big > SECTOR_MAX) {
      throw new TableSyntaxError(
        `The ${key} ${row[key].replace(/^\+/, '')} on line ${line} of table ${source} is past 2^64-1 (${SECTOR_MAX}), the largest sector count the kernel takes.`,
        line,
        source,
      );
    }
    return big;
  };
  return { start: value('start'), length: value('length'), type: row.type, params: row.params };
}

/** One row as `dmsetup table` prints it: `<start> <length> <type> <params>` (a space even when params are empty). */
export function formatRow(row: TableRow): string {
  rowsShape([row], 'The row given to formatRow');
  return `${row.start} ${row.length} ${row.type} ${row.params}`;
}

/** Rows as dmsetup table text, one row a line, each ending in a newline. */
export function formatTable(rows: readonly TableRow[]): string {
  rowsShape(rows, 'The rows given to formatTable');
  return rows.map((row) => `${formatRow(row)}\n`).join('');
}

/**
 * Checks rows before they reach the kernel: at least one row, whole non-negative sector numbers,
 * rows that start at sector 0 and follow each other without gaps or overlaps, type names of 1-15
 * characters without white space, no NUL in params. Throws a DmError naming the row and the rule.
 */
export function validateTable(rows: readonly TableRow[]): void {
  rowsShape(rows, 'The table');
  if (rows.length === 0) throw invalidArgument('A table needs at least one row');
  refuseStatusRows(rows);
  // Counted as a bigint: rows may pass 2^53, and a sum of numbers would round.
  let expectedStart = 0n;
  rows.forEach((row, index) => {
    const where = `Table row ${index + 1}`;
    for (const key of ['start', 'length'] as const) {
      if (!isSectors(row[key])) {
        throw invalidArgument(`${where}: ${key} must be a whole number of sectors, not ${String(row[key])}`);
      }
    }
    if (BigInt(row.length) === 0n) throw invalidArgument(`${where}: length must not be 0`);
    if (BigInt(row.start) !== expectedStart) {
      throw invalidArgument(
        `${where} starts at sector ${row.start}, but ${index === 0 ? 'a table starts at sector 0' : `the row before ends at sector ${expectedStart}`}: rows must follow each other without gaps or overlaps`,
      );
    }
    expectedStart = BigInt(row.start) + BigInt(row.length);
    if (!/^[^\s\0]+$/.test(row.type)) {
      throw invalidArgument(`${where}: the target type "${String(row.type)}" must be one word`);
    }
    if (Buffer.byteLength(row.type) >= DM_MAX_TYPE_NAME) {
      throw invalidArgument(`Target type name ${row.type} is too long.`);
    }
    if (row.params.includes('\0')) {
      throw invalidArgument(`${where}: params must be a string without NUL characters`);
    }
    checkSecret(row, where);
  });
}

/** A row's `secret` must be SecretParams whose hidden text is the row's params (else params were edited apart from it). */
function checkSecret(row: TableRow, where: string): void {
  if (row.secret === undefined) return;
  if (!(row.secret instanceof SecretParams)) throw invalidArgument(`${where}: secret must be SecretParams (from a builder or table())`);
  if (row.secret.hidden !== row.params) {
    throw invalidArgument(`${where}: params were changed apart from the row's secret (its keys); build the row again, or drop secret and give the params in full`);
  }
}

/**
 * True when loading `rows` must be secure (DM_SECURE_DATA, the buffer wiped): a row carries keys
 * (`secret`), or is of a type whose params can hold one (crypt, integrity), as cryptsetup marks
 * every key-bearing load.
 */
export function carriesSecrets(rows: readonly TableRow[]): boolean {
  return rows.some((row) => row.secret !== undefined || KEY_BEARING_TYPES.has(row.type));
}

/** Target types whose params can hold a key. */
const KEY_BEARING_TYPES: ReadonlySet<string> = new Set(['crypt', 'integrity']);

/**
 * The kernel splits params at white space and treats `\` as an escape; libdevmapper doubles every
 * backslash so that params reach the target as written. We do the same.
 */
export function escapeParamsForKernel(params: string): string {
  return params.replace(/\\/g, '\\\\');
}

/**
 * Throws a DmError for a StatusRow among table rows (a status() row passed to load): its text is
 * status, not params. Checked even when validation is off (load's `validate: false`): the kernel
 * would take the text as params.
 */
export function refuseStatusRows(rows: readonly TableRow[]): void {
  const index = rows.findIndex((row) => (row as { kind?: unknown } | null)?.kind === 'status');
  if (index !== -1) throw statusRowRefusal(index);
}

/**
 * Rows as the codec sends them: a row with `secret` as its parts, written escaped into the ioctl
 * buffer by the codec (its keys never become strings); any other row as escaped text.
 */
export function encodeTable(rows: readonly TableRow[]): EncodedTarget[] {
  return rows.map((row, index) => {
    if (row.secret === undefined) return { start: row.start, length: row.length, type: row.type, params: escapeParamsForKernel(row.params) };
    checkSecret(row, `Table row ${index + 1}`);
    const secret = row.secret;
    return { start: row.start, length: row.length, type: row.type, params: { byteLength: secret.byteLength(true), write: (buffer, offset) => secret.write(buffer, offset, true) } };
  });
}
