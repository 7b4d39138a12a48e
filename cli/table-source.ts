/**
 * Where create, load and reload get their table, as dmsetup's _parse_file: `--table` text, else
 * the file argument, else stdin; parsed line by line with dmsetup's rules and messages.
 */
import { readFileSync } from 'node:fs';
import { parseTable, TableSyntaxError, type TableRow } from '../lib/index.js';
import type { CliContext } from './context.js';

/** DM_MAX_TYPE_NAME: a target type takes at most 15 bytes. */
const TYPE_ROOM = 16;

/** The table text and how dmsetup names it in `Invalid format on line N of table <source>.` */
export interface TableText {
  text: string;
  /** '' for --table, the file path, or `on stdin`. */
  source: string;
}

/** The table's text: --table, else the file `file`, else all of stdin. */
export function tableText(context: CliContext, file: string | undefined): TableText {
  if (context.options.table !== undefined) return { text: context.options.table, source: '' };
  if (file !== undefined) {
    try {
      return { text: readFileSync(file, 'utf8'), source: file };
    } catch {
      return context.fail(`Couldn't open '${file}' for reading.`);
    }
  }
  return { text: context.stdin(), source: 'on stdin' };
}

/**
 * Parses table text as dmsetup's _parse_line does, line after line: the first bad line fails
 * with `Invalid format on line N of table SOURCE.`, a type name of 16 bytes or more with
 * `Target type name T is too long.`. An empty result means "no table" (create then only creates).
 */
export function parseTableText(context: CliContext, { text, source }: TableText): TableRow[] {
  const rows: TableRow[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    let parsed: TableRow[];
    try {
      parsed = parseTable(line, source);
    } catch (error) {
      if (!(error instanceof TableSyntaxError)) throw error;
      return context.fail(`Invalid format on line ${index + 1} of table ${source}.`);
    }
    for (const row of parsed) {
      if (Buffer.byteLength(row.type) >= TYPE_ROOM) context.fail(`Target type name ${row.type} is too long.`);
      rows.push(row);
    }
  });
  return rows;
}

/** tableText then parseTableText. */
export function readTable(context: CliContext, file: string | undefined): TableRow[] {
  return parseTableText(context, tableText(context, file));
}
