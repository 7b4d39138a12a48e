/**
 * The parser of `-S/--select` (libdm-report.c's `_parse_or_ex`, `_parse_and_ex`, `_parse_ex` and
 * `_parse_selection` with their tokenizers), with libdm's grammar, quirks and messages:
 *
 *   OR  := AND (('||' | '#') AND)*        AND := EX (('&&' | ',') EX)*
 *   EX  := '!' '(' OR ')' | '(' OR ')' | FIELD OP VALUE
 *
 * A field name is `[A-Za-z0-9_-]+`, matched case-insensitively with `_` ignored. A value is quoted
 * with `'` or `"`, or runs to a space, `&&`, `,`, `||`, `#` or `)` (a regex may also be enclosed
 * in `()`, `{}` or `[]`); numbers are digits with at most one `.`, sizes take a unit (default
 * MiB). dmsetup registers no reserved values and has no string-list or time fields, so those
 * branches of libdm are not needed. One pass with constant-time look-ups: linear in the text.
 */
import { FIELDS, fieldHelpLines, fieldType, IMPLICIT_FIELDS, isUncomparable, type FieldDef, type FieldType } from './fields.js';
import { compileLibdmRegex, type LibdmRegex } from './select-regex.js';
import { AND, COMPARE_OPS, LEFT_PAREN, LOGICAL_OPS, NOT, OR, RIGHT_PAREN, selectionHelpLines, type CompareOp } from './select-ops.js';

/** One comparison of a field with a value. */
export interface SelectionItem {
  kind: 'item';
  field: FieldDef;
  op: CompareOp;
  value: { type: 'number'; number: bigint } | { type: 'size'; sectors: number } | { type: 'string'; text: string } | { type: 'regex'; regex: LibdmRegex };
  not: boolean;
}

export interface SelectionGroup {
  kind: 'and' | 'or';
  children: SelectionNode[];
  not: boolean;
}

export type SelectionNode = SelectionItem | SelectionGroup;

/** What `-S` asks for: nothing (`''`, `all`), help, a selection tree and the fields it reads, or dmsetup's error lines. */
export type ParsedSelection =
  | { kind: 'none' }
  | { kind: 'help'; lines: string[] }
  | { kind: 'select'; root: SelectionNode; fields: FieldDef[]; warnings: string[] }
  | { kind: 'error'; lines: string[] };

const SYNTAX_HELP = "Use 'help' for selection to get more help.";
const UNIT_BYTES: Readonly<Record<string, number>> = {
  h: 1, H: 1, r: 1, R: 1, b: 1, B: 1, s: 512, S: 512,
  k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50, e: 2 ** 60,
  K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/** Fields by id without `_`, lower case; implicit fields first, so they win as in libdm's _get_field. */
const FIELDS_BY_CANONICAL_NAME = new Map<string, FieldDef>();
for (const def of [...IMPLICIT_FIELDS, ...FIELDS]) {
  const key = def.id.replace(/_/g, '').toLowerCase();
  if (!FIELDS_BY_CANONICAL_NAME.has(key)) FIELDS_BY_CANONICAL_NAME.set(key, def);
}

/** Parses a selection the way dm_report_init_with_selection does. */
export function parseSelection(text: string): ParsedSelection {
  if (text === '' || text.toLowerCase() === 'all') return { kind: 'none' };
  if (text.toLowerCase() === 'help' || text === '?') {
    return { kind: 'help', lines: [...fieldHelpLines(true), ' ', ...selectionHelpLines()] };
  }
  return new SelectionParser(text).parse();
}

/** Thrown (and caught in parse) once the error lines are out: libdm unwinds with NULL. */
class Failed extends Error {}

function isCSpace(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\v' || char === '\f' || char === '\r';
}

class SelectionParser {
  private readonly lines: string[] = [];
  private readonly fields: FieldDef[] = [];
  /** The index of the first non-space character at or after each index (libdm's _skip_space, precomputed). */
  private readonly nonSpace: Int32Array;
  /** Where the last parse step stopped (libdm's `next`). */
  private next = 0;

  constructor(private readonly s: string) {
    this.nonSpace = new Int32Array(s.length + 1);
    this.nonSpace[s.length] = s.length;
    for (let i = s.length - 1; i >= 0; i--) this.nonSpace[i] = isCSpace(s[i]) ? this.nonSpace[i + 1]! : i;
  }

  parse(): ParsedSelection {
    try {
      // libdm parses into a root OR node, which is kept even with one child.
      const root = this.orEx(0, true);
      const rest = this.skip(this.next);
      if (rest < this.s.length) {
        this.fail('Expecting logical operator', `Selection syntax error at '${this.s.slice(rest)}'.`, SYNTAX_HELP);
      }
      // Lines libdm logged on the way without failing (a regex it parsed with complaints).
      return { kind: 'select', root, fields: this.fields, warnings: this.lines };
    } catch (error) {
      if (!(error instanceof Failed)) throw error;
      return { kind: 'error', lines: this.lines };
    }
  }

  private fail(...lines: string[]): never {
    this.lines.push(...lines);
    throw new Failed();
  }

  private skip(at: number): number {
    return this.nonSpace[Math.min(at, this.s.length)]!;
  }

  /** _tok_op over the logical operators allowed by `expect`: the flag found (0 if none) and where it ends. */
  private logicalOp(at: number, expect: number): { flag: number; end: number } {
    const start = this.skip(at);
    for (const op of LOGICAL_OPS) {
      if (op.flag & expect && this.s.startsWith(op.text, start)) return { flag: op.flag, end: start + op.text.length };
    }
    return { flag: 0, end: start };
  }

  private orEx(at: number, root = false): SelectionNode {
    const children: SelectionNode[] = [];
    for (let start = at; ; ) {
      children.push(this.andEx(start));
      const op = this.logicalOp(this.next, OR);
      if (!op.flag) break;
      start = op.end;
    }
    return children.length === 1 && !root ? children[0]! : { kind: 'or', children, not: false };
  }

  private andEx(at: number): SelectionNode {
    const children: SelectionNode[] = [];
    for (let start = at; ; ) {
      children.push(this.ex(start));
      const op = this.logicalOp(this.next, AND);
      if (!op.flag) break;
      start = op.end;
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children, not: false };
  }

  private ex(at: number): SelectionNode {
    const op = this.logicalOp(at, NOT | LEFT_PAREN);
    if (op.flag === NOT) {
      const paren = this.logicalOp(op.end, LEFT_PAREN);
      if (!paren.flag) this.fail(`Syntax error: left parenthesis expected at '${this.s.slice(op.end)}'`);
      const node = this.orEx(paren.end);
      // libdm ORs the flag in: `!(!(x))` is `!(x)`.
      node.not = true;
      const close = this.logicalOp(this.next, RIGHT_PAREN);
      if (!close.flag) this.fail(`Syntax error: right parenthesis expected at '${this.s.slice(this.next)}'`);
      this.next = close.end;
      return node;
    }
    if (op.flag === LEFT_PAREN) {
      const node = this.orEx(op.end);
      const close = this.logicalOp(this.next, RIGHT_PAREN);
      this.next = close.end;
      if (!close.flag) this.fail(`Syntax error: right parenthesis expected at '${this.s.slice(close.end)}'`);
      return node;
    }
    return this.item(this.skip(at));
  }

  /** _parse_selection: FIELD OP VALUE; `start` is where `Selection syntax error at` quotes from. */
  private item(start: number): SelectionItem {
    const bad: (...lines: string[]) => never = (...lines) => this.fail(...lines, `Selection syntax error at '${this.s.slice(start)}'.`, SYNTAX_HELP);
    let nameEnd = start;
    while (nameEnd < this.s.length && /[A-Za-z0-9_-]/.test(this.s[nameEnd]!)) nameEnd++;
    if (nameEnd === start) bad('Expecting field name');
    const name = this.s.slice(start, nameEnd);
    const field = this.findField(name, start);
    if (!field) bad(...fieldHelpLines(true), ' ', `Unrecognised selection field: ${name}`);
    if (isUncomparable(field)) bad(...fieldHelpLines(true), ' ', `Selection field is uncomparable: ${name}.`);
    const opStart = this.skip(nameEnd);
    const op = COMPARE_OPS.find((candidate) => this.s.startsWith(candidate.text, opStart));
    if (!op) bad(...selectionHelpLines(), `Unrecognised comparison operator: ${this.s.slice(nameEnd)}`);
    const type = fieldType(field);
    const valueStart = this.skip(opStart + op.text.length);
    if (op.kind === 'regex') {
      if (valueStart >= this.s.length) bad(`Regular expression expected for selection field ${field.id}`);
      const close = ({ '(': ')', '{': '}', '[': ']', '"': '"', "'": "'" } as Record<string, string>)[this.s[valueStart]!];
      const value = this.stringToken(close !== undefined ? valueStart + 1 : valueStart, close);
      if (!value) bad(`Failed to parse regex value for selection field ${field.id}.`);
      this.next = this.skip(value.next);
      return this.regexItem(field, op, value.text);
    }
    if (op.needs === 'number' && type === 'string') {
      bad(...selectionHelpLines(), `Operator can be used only with number, size, time or percent fields: ${this.s.slice(start)}`);
    }
    if (op.needs === 'time') bad(...selectionHelpLines(), `Operator can be used only with time fields: ${this.s.slice(start)}`);
    if (type === 'string') {
      const quote = this.s[valueStart] === '"' || this.s[valueStart] === "'" ? this.s[valueStart] : undefined;
      const value = this.stringToken(quote !== undefined ? valueStart + 1 : valueStart, quote);
      if (!value) bad(`Failed to parse string value for selection field ${field.id}.`);
      this.next = this.skip(value.next);
      return this.use({ kind: 'item', field, op, value: { type: 'string', text: value.text }, not: false });
    }
    const number = this.numberToken(valueStart, type, field, bad);
    this.next = this.skip(number.next);
    return this.use({ kind: 'item', field, op, value: this.numberValue(number.text, number.factor, type, field), not: false });
  }

  /** A field by name as libdm's _get_field: implicit fields first, `_` ignored, any case. */
  private findField(name: string, start: number): FieldDef | undefined {
    const canonical = name.replace(/_/g, '');
    if (canonical.length >= 32) {
      // libdm's buffer holds 31 characters; it names the rest of the text from where it ran out.
      let kept = 0;
      let at = 0;
      for (; at < name.length && kept < 31; at++) if (name[at] !== '_') kept++;
      while (name[at] === '_') at++;
      this.lines.push(`${this.s.slice(start + at)}: field name too long.`);
      return undefined;
    }
    return FIELDS_BY_CANONICAL_NAME.get(canonical.toLowerCase());
  }

  private use(item: SelectionItem): SelectionItem {
    if (!this.fields.includes(item.field)) this.fields.push(item.field);
    return item;
  }

  /**
   * _tok_value_string: up to the closing `close`, or unquoted up to a space or an operator that
   * ends a value (`&&` `,` `||` `#` `)`, white space before them included).
   */
  private stringToken(at: number, close: string | undefined): { text: string; next: number } | undefined {
    if (close !== undefined) {
      const end = this.s.indexOf(close, at);
      if (end === -1) {
        this.lines.push('Missing end quote.');
        return undefined;
      }
      return { text: this.s.slice(at, end), next: end + 1 };
    }
    let end = at;
    while (end < this.s.length && this.s[end] !== ' ' && !this.logicalOp(end, AND | OR | RIGHT_PAREN).flag) end++;
    return { text: this.s.slice(at, end), next: end };
  }

  /** _tok_value_number and the unit check after it; `bad` prints the error lines and throws. */
  private numberToken(at: number, type: FieldType, field: FieldDef, bad: (...lines: string[]) => never): { text: string; factor: number; next: number } {
    let end = at;
    let dot = false;
    while (end < this.s.length && ((!dot && this.s[end] === '.' && (dot = true)) || /[0-9]/.test(this.s[end]!))) end++;
    if (end === at) bad(`Failed to parse numeric value for selection field ${field.id}.`);
    const text = this.s.slice(at, end);
    const what = type === 'number' ? 'numeric' : 'size';
    if (this.s[end] === '%') bad(`Found percent value but ${what} value expected for selection field ${field.id}.`);
    const unit = UNIT_BYTES[this.s[end] ?? ''];
    if (unit !== undefined) {
      if (type !== 'size') bad(`Found size unit specifier but numeric value expected for selection field ${field.id}.`);
      return { text, factor: unit, next: end + 1 };
    }
    return { text, factor: type === 'size' ? 2 ** 20 : 1, next: end };
  }

  /** _create_field_selection for numbers and sizes: strtoull (range-checked) or strtod, sizes in sectors. */
  private numberValue(text: string, factor: number, type: FieldType, field: FieldDef): SelectionItem['value'] {
    const outOfRange = `Field selection value ${text} out of supported range for field ${field.id}.`;
    if (type === 'size') {
      const bytes = text === '.' ? 0 : Number(text);
      if (!Number.isFinite(bytes)) this.fail(outOfRange);
      return { type: 'size', sectors: (bytes * factor) / 512 };
    }
    const digits = /^[0-9]*/.exec(text)![0];
    const number = digits === '' ? 0n : BigInt(digits);
    if (number > 0xffffffffffffffffn) this.fail(outOfRange);
    return { type: 'number', number };
  }

  /** _create_field_selection for `=~` / `!~`: string fields only, and a pattern libdm can compile. */
  private regexItem(field: FieldDef, op: CompareOp, pattern: string): SelectionItem {
    if (fieldType(field) !== 'string') this.fail(`dm_report: incompatible comparison type for selection field ${field.id}`);
    const compiled = compileLibdmRegex(pattern);
    if ('errors' in compiled) this.fail(...compiled.errors, `dm_report: failed to create regex matcher for selection field ${field.id}`);
    this.lines.push(...compiled.warnings);
    return this.use({ kind: 'item', field, op, value: { type: 'regex', regex: compiled.regex }, not: false });
  }
}
