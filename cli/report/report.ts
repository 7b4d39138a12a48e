/**
 * libdevmapper's report engine (libdm-report.c) as dmsetup sets it up (`_report_init`): `-o`
 * field lists (`+` appends to the defaults, `<section>_all`), `-O` sort keys, and the output forms:
 * aligned columns (every field padded, numbers right-aligned), `--noheadings` (`:`-separated),
 * `--separator`, `--nameprefixes` (`DM_FIELD='value'`), `--unquoted` and `--rows`; and `-S`
 * selection (select-parse.ts, select-eval.ts), whose fields join the report as hidden columns.
 */
import type { CliOptions } from '../options.js';
import type { DepTree } from './dep-tree.js';
import { FIELDS, fieldHelpLines, IMPLICIT_FIELDS, SECTIONS, SUPPORTED_SECTIONS, type FieldDef, type FieldValue, type SectionName } from './fields.js';
import { selects } from './select-eval.js';
import { parseSelection, type SelectionNode } from './select-parse.js';

/** dmsetup's default `info -c` fields. */
export const DEFAULT_FIELDS = 'name,major,minor,attr,open,segments,events,uuid';

export type { FieldValue } from './fields.js';

/** How rows are printed, from the command-line switches. */
export interface ReportLayout {
  aligned: boolean;
  headings: boolean;
  separator: string;
  namePrefixes: boolean;
  quoted: boolean;
  columnsAsRows: boolean;
}

/** One report column: a field, whether it is only a sort key, its width so far, its sort order. */
export interface Column {
  def: FieldDef;
  hidden: boolean;
  width: number;
  sort?: { position: number; descending: boolean };
}

/** The report could not be set up; `printed` says whether its lines were printed already. */
export class ReportInitError extends Error {
  constructor(
    message: string,
    readonly printed: boolean,
  ) {
    super(message);
  }
}

/** The layout dmsetup's _report_init derives from the switches. */
export function reportLayout(options: Readonly<CliOptions>): ReportLayout {
  const layout: ReportLayout = {
    aligned: true,
    headings: true,
    separator: ' ',
    namePrefixes: false,
    quoted: !options.unquoted,
    columnsAsRows: Boolean(options.rows),
  };
  // "emulate old dmsetup behaviour"
  if (options.noheadings) Object.assign(layout, { separator: ':', aligned: false, headings: false });
  if (options.nameprefixes) Object.assign(layout, { aligned: false, namePrefixes: true });
  if (options.options?.includes('help')) layout.headings = false;
  if (options.separator !== undefined) Object.assign(layout, { separator: options.separator, aligned: false });
  // With columns as rows libdm buffers and never aligns.
  if (layout.columnsAsRows) layout.aligned = false;
  return layout;
}

/** The `-o` value with dmsetup's `+` rule: `+f,g` appends to `defaults`. */
export function fieldList(options: string | undefined, defaults = DEFAULT_FIELDS): string {
  if (options === undefined) return defaults;
  return options.startsWith('+') ? `${defaults},${options.slice(1)}` : options;
}

/** A report being filled: its columns, buffered rows, and libdm's output rules. */
export class Report {
  readonly columns: Column[] = [];
  private readonly rows: FieldValue[][] = [];
  /** `-o help` or `-S help`: the help was printed; the report itself prints nothing (RH_ALREADY_REPORTED). */
  readonly helpRequested: boolean;
  /** The `-S` selection rows must pass, if one was given. */
  private readonly selection: SelectionNode | undefined;
  private readonly columnOf = new Map<FieldDef, number>();
  /** Every device's dependencies, built when a tree field was asked for (dmsetup's _dtree). */
  tree: DepTree | undefined;

  /**
   * Sets up a report as dm_report_init does. Prints the field list and `Unrecognised field: X`
   * (through `warn`) and throws ReportInitError for a field it does not know; throws
   * ReportInitError with a message for a field tsdmsetup cannot compute.
   */
  constructor(
    fields: string,
    sortKeys: string | undefined,
    readonly layout: ReportLayout,
    warn: (line: string) => void,
    /** The section a bare `all` means (dmsetup's splitname report); default every field. */
    allOf?: SectionName,
    /** `-S`: parsed as dm_report_init_with_selection does, after the fields and sort keys. */
    selection?: string,
    /** A `stats` report: its statistics and region fields are computed by the caller. */
    statsReport = false,
  ) {
    eachWord(fields, (word) => {
      const defs = matchFields(word, allOf);
      if (!defs) failWithFieldList(warn, `Unrecognised field: ${word}`);
      for (const def of defs) this.columns.push({ def, hidden: false, width: def.width });
    });
    let sortPosition = 0;
    if (sortKeys !== undefined) {
      eachWord(sortKeys, (word) => {
        const descending = word.startsWith('-');
        const name = word.startsWith('-') || word.startsWith('+') ? word.slice(1) : word;
        if (name === '') warn('dm_report: Missing sort field name');
        const def = name === '' ? undefined : findField(name);
        if (!def) failWithFieldList(warn, `dm_report: Unrecognised field: ${word}`);
        let column = this.columns.find((c) => c.def === def);
        if (!column) {
          column = { def, hidden: true, width: def.width };
          // libdm puts hidden sort-only fields at the front of the field list.
          this.columns.unshift(column);
        }
        if (column.sort) {
          warn(`dm_report: Ignoring duplicate sort field: ${def.id}.`);
          return;
        }
        column.sort = { position: sortPosition++, descending };
      });
    }
    const fieldHelp = this.columns.some((c) => c.def.id === 'help' || c.def.id === '?');
    if (fieldHelp) {
      for (const line of fieldHelpLines()) warn(line);
      warn(' ');
    }
    const parsed = selection === undefined ? { kind: 'none' as const } : parseSelection(selection);
    if (parsed.kind === 'error') {
      for (const line of parsed.lines) warn(line);
      throw new ReportInitError(parsed.lines.at(-1) ?? '', true);
    }
    if (parsed.kind === 'help') for (const line of parsed.lines) warn(line);
    this.helpRequested = fieldHelp || parsed.kind === 'help';
    if (parsed.kind === 'select') {
      for (const line of parsed.warnings) warn(line);
      this.selection = parsed.root;
      // libdm adds the fields a selection reads as hidden ones, at the front like hidden sort keys.
      for (const def of parsed.fields) {
        if (!this.columns.some((column) => column.def === def)) this.columns.unshift({ def, hidden: true, width: def.width });
      }
    }
    this.columns.forEach((column, index) => this.columnOf.set(column.def, index));
    if (this.helpRequested) return;
    const statsSection = (section: SectionName): boolean => statsReport && (section === 'stats' || section === 'region');
    const unsupported = this.columns.find((c) => !SUPPORTED_SECTIONS.has(c.def.section) && !statsSection(c.def.section));
    if (unsupported) {
      const what = `${unsupported.def.id} report field (${SECTIONS[unsupported.def.section].desc})`;
      throw new ReportInitError(`tsdmsetup does not support the ${what}.`, false);
    }
  }

  /** True when some column needs data of `section` (deps needs a DEPS ioctl per device). */
  needs(section: SectionName): boolean {
    return this.columns.some((c) => c.def.section === section);
  }

  /**
   * True when the row (one value per column) passes the selection (always without one). After a
   * help request nothing is selected: libdm reports nothing then.
   */
  selects(values: readonly FieldValue[]): boolean {
    if (this.helpRequested) return false;
    return !this.selection || selects(this.selection, (def) => values[this.columnOf.get(def)!]!);
  }

  /**
   * Adds a row: one value per column, in column order, if it passes the selection. A row that does
   * not is still shown, with `selected` 0, when the `selected` field is displayed (libdm's rule).
   * Nothing is added after `-o help` or `-S help`.
   */
  addRow(values: FieldValue[]): void {
    if (this.helpRequested) return;
    if (!this.selects(values)) {
      const index = this.columns.findIndex((column) => column.def.id === 'selected');
      if (index === -1 || this.columns[index]!.hidden) return;
      values = values.map((value, at) => (at === index ? { text: '0', sort: 0n } : value));
    }
    this.rows.push(values);
    this.columns.forEach((column, index) => {
      column.width = Math.max(column.width, byteLength(values[index]!.text));
    });
  }

  isEmpty(): boolean {
    return this.rows.length === 0;
  }

  /**
   * The report's output lines (nothing for an empty report, else headings if any, and rows), and
   * a fresh start for the next --count cycle: the rows go, the column widths stay.
   */
  output(): string[] {
    if (this.rows.length === 0) return [];
    const rows = this.sortedRows();
    this.rows.splice(0);
    return this.layout.columnsAsRows ? this.outputAsRows(rows) : this.outputAsColumns(rows);
  }

  /**
   * The report's rows for --json (sorted, hidden columns left out), keyed by field id: a numeric
   * field as a number (a string past 2^53, so it stays exact), any other as its text. The rows go,
   * as output() lets them go.
   */
  outputJson(): Record<string, number | string>[] {
    const rows = this.sortedRows();
    this.rows.splice(0);
    const visible = this.visible();
    return rows.map((row) => Object.fromEntries(visible.map(({ column, index }) => [column.def.id, jsonValue(column.def, row[index]!)])));
  }

  private sortedRows(): FieldValue[][] {
    const keys = this.columns
      .map((column, index) => ({ column, index }))
      .filter(({ column }) => column.sort)
      .sort((a, b) => a.column.sort!.position - b.column.sort!.position);
    if (keys.length === 0) return [...this.rows];
    return [...this.rows].sort((a, b) => {
      for (const { column, index } of keys) {
        const x = a[index]!.sort;
        const y = b[index]!.sort;
        if (x === y) continue;
        const ascending = compareC(x, y);
        if (ascending === 0) continue;
        return column.sort!.descending ? -ascending : ascending;
      }
      return 0;
    });
  }

  private visible(): Array<{ column: Column; index: number }> {
    return this.columns.map((column, index) => ({ column, index })).filter(({ column }) => !column.hidden);
  }

  private outputAsColumns(rows: FieldValue[][]): string[] {
    const visible = this.visible();
    const lines: string[] = [];
    if (this.layout.headings) {
      lines.push(
        visible
          .map(({ column }) => (this.layout.aligned ? fit(column.def.heading, column.width, false) : column.def.heading))
          .join(this.layout.separator),
      );
    }
    for (const row of rows) {
      lines.push(visible.map(({ column, index }) => this.fieldText(column, row[index]!)).join(this.layout.separator));
    }
    return lines;
  }

  private outputAsRows(rows: FieldValue[][]): string[] {
    return this.visible().map(({ column, index }) => {
      const head = this.layout.headings ? `${column.def.heading}${this.layout.separator}` : '';
      return head + rows.map((row) => this.fieldText(column, row[index]!)).join(this.layout.separator);
    });
  }

  /** libdm's _output_field: `DM_ID='value'` with --nameprefixes, padded when aligned. */
  private fieldText(column: Column, value: FieldValue): string {
    const quote = this.layout.namePrefixes && this.layout.quoted ? "'" : '';
    const prefix = this.layout.namePrefixes ? `DM_${column.def.id.toUpperCase()}=${quote}` : '';
    const text = this.layout.aligned ? fit(value.text, column.width, column.def.numeric) : value.text;
    return `${prefix}${text}${quote}`;
  }
}

/** A field's --json value: numbers exact (as a string past Number.MAX_SAFE_INTEGER), text otherwise. */
function jsonValue(def: FieldDef, value: FieldValue): number | string {
  if (!def.numeric || typeof value.sort !== 'bigint' || value.text === '') return value.text;
  return value.sort <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value.sort) : value.sort.toString();
}

/** printf's `%-*.*s` (or `%*.*s` for right alignment), counting bytes as C does. */
function fit(text: string, width: number, right: boolean): string {
  const bytes = Buffer.from(text);
  const cut = bytes.length > width ? bytes.subarray(0, width).toString() : text;
  const pad = ' '.repeat(Math.max(0, width - Buffer.byteLength(cut)));
  return right ? pad + cut : cut + pad;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

/** C's comparison: uint64 numerically, strings bytewise (strcmp). */
function compareC(x: bigint | string, y: bigint | string): number {
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  return Buffer.compare(Buffer.from(String(x)), Buffer.from(String(y)));
}

/** libdm's word loop: commas separate words, runs of commas are skipped, a trailing comma makes an empty word. */
function eachWord(list: string, visit: (word: string) => void): void {
  let at = 0;
  while (at < list.length) {
    while (list[at] === ',') at++;
    let end = list.indexOf(',', at);
    if (end === -1) end = list.length;
    visit(list.slice(at, end));
    at = end;
  }
}

/** A field by id, case-insensitively (implicit fields first, as libdm looks them up). */
function findField(word: string): FieldDef | undefined {
  const lower = word.toLowerCase();
  return [...IMPLICIT_FIELDS, ...FIELDS].find((field) => field.id.toLowerCase() === lower);
}

/** The fields a `-o` word names: one field, or every field of the sections `<prefix>all` (or `all`) names. */
function matchFields(word: string, allOf: SectionName | undefined): FieldDef[] | undefined {
  if (word === '') return undefined;
  const field = findField(word);
  if (field) return [field];
  const lower = word.toLowerCase();
  if (lower === 'all') return allOf ? FIELDS.filter((def) => def.section === allOf) : [...FIELDS];
  const sections = (Object.keys(SECTIONS) as SectionName[]).filter(
    (name) => name !== 'special' && lower === `${SECTIONS[name].prefix}all`,
  );
  if (sections.length === 0) return undefined;
  return FIELDS.filter((def) => sections.includes(def.section));
}

function failWithFieldList(warn: (line: string) => void, message: string): never {
  for (const line of fieldHelpLines()) warn(line);
  warn(' ');
  warn(message);
  throw new ReportInitError(message, true);
}
