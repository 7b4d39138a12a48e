/**
 * Where create, load and reload get their table, as dmsetup's _parse_file: `--table` text, else
 * the file argument, else stdin; parsed by the library with dmsetup's rules and messages.
 */
import { readFileSync } from 'node:fs';
import { parseTable, TableSyntaxError, type TableRow } from '../lib/index.js';
import type { CliContext } from './context.js';

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
 * Parses table text with the library's parseTable, which follows dmsetup's _parse_line and stops at
 * the first bad line with dmsetup's message (`Invalid format on line N of table SOURCE.`, `Target
 * type name T is too long.`); that message fails the command. An empty result means "no table"
 * (create then only creates).
 */
export function parseTableText(context: CliContext, { text, source }: TableText): TableRow[] {
  try {
    return parseTable(text, source);
  } catch (error) {
    if (!(error instanceof TableSyntaxError)) throw error;
    return context.fail(error.message);
  }
}

/** tableText then parseTableText. */
export function readTable(context: CliContext, file: string | undefined): TableRow[] {
  return parseTableText(context, tableText(context, file));
}
