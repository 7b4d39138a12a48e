/**
 * The operators of libdm's report selection language (`_op_cmp` and `_op_log` in libdm-report.c),
 * in libdm's order (a longer operator before its prefix: `=~` before `=`), and the help dmsetup
 * prints for `-S help` or a bad operator (`_display_selection_help`; dmsetup registers no reserved
 * values, so there is no "Reserved values" part).
 */

/** A comparison: what it tests, and the field types it takes (`number` ops also take sizes). */
export type CompareKind = 'regex' | 'eq' | 'gt' | 'ge' | 'lt' | 'le';

export interface CompareOp {
  text: string;
  kind: CompareKind;
  not: boolean;
  /** Which value types the operator needs: any (`=`, `!=`, regex), numbers and times, or times only. */
  needs: 'any' | 'number' | 'time';
  desc: string;
}

export const COMPARE_OPS: readonly CompareOp[] = [
  { text: '=~', kind: 'regex', not: false, needs: 'any', desc: 'Matching regular expression. [regex]' },
  { text: '!~', kind: 'regex', not: true, needs: 'any', desc: 'Not matching regular expression. [regex]' },
  { text: '=', kind: 'eq', not: false, needs: 'any', desc: 'Equal to. [number, size, percent, string, string list, time]' },
  { text: '!=', kind: 'eq', not: true, needs: 'any', desc: 'Not equal to. [number, size, percent, string, string_list, time]' },
  { text: '>=', kind: 'ge', not: false, needs: 'number', desc: 'Greater than or equal to. [number, size, percent, time]' },
  { text: '>', kind: 'gt', not: false, needs: 'number', desc: 'Greater than. [number, size, percent, time]' },
  { text: '<=', kind: 'le', not: false, needs: 'number', desc: 'Less than or equal to. [number, size, percent, time]' },
  { text: '<', kind: 'lt', not: false, needs: 'number', desc: 'Less than. [number, size, percent, time]' },
  { text: 'since', kind: 'ge', not: false, needs: 'time', desc: "Since specified time (same as '>='). [time]" },
  { text: 'after', kind: 'gt', not: false, needs: 'time', desc: "After specified time (same as '>'). [time]" },
  { text: 'until', kind: 'le', not: false, needs: 'time', desc: "Until specified time (same as '<='). [time]" },
  { text: 'before', kind: 'lt', not: false, needs: 'time', desc: "Before specified time (same as '<'). [time]" },
];

/** Logical and grouping operators, as bit flags so that a parse step can ask for several. */
export const AND = 0x1;
export const OR = 0x2;
export const NOT = 0x4;
export const LEFT_PAREN = 0x8;
export const RIGHT_PAREN = 0x10;
const LIST_START = 0x20;
const LIST_END = 0x40;
const SUBSET_START = 0x80;
const SUBSET_END = 0x100;

export const LOGICAL_OPS: ReadonlyArray<{ text: string; flag: number; desc: string }> = [
  { text: '&&', flag: AND, desc: 'All fields must match' },
  { text: ',', flag: AND, desc: 'All fields must match' },
  { text: '||', flag: OR, desc: 'At least one field must match' },
  { text: '#', flag: OR, desc: 'At least one field must match' },
  { text: '!', flag: NOT, desc: 'Logical negation' },
  { text: '(', flag: LEFT_PAREN, desc: 'Left parenthesis' },
  { text: ')', flag: RIGHT_PAREN, desc: 'Right parenthesis' },
  { text: '[', flag: LIST_START, desc: 'List start' },
  { text: ']', flag: LIST_END, desc: 'List end' },
  { text: '{', flag: SUBSET_START, desc: 'List subset start' },
  { text: '}', flag: SUBSET_END, desc: 'List subset end' },
];

/** libdm's _display_selection_help, line by line (dmsetup prints it to stderr). */
export function selectionHelpLines(): string[] {
  return [
    'Selection operands',
    '------------------',
    '  field               - Reporting field.',
    '  number              - Non-negative integer value.',
    "  size                - Floating point value with units, 'm' unit used by default if not specified.",
    '  percent             - Non-negative integer with or without % suffix.',
    "  string              - Characters quoted by ' or \" or unquoted.",
    '  string list         - Strings enclosed by [ ] or { } and elements delimited by either',
    '                        "all items must match" or "at least one item must match" operator.',
    "  regular expression  - Characters quoted by ' or \" or unquoted.",
    ' ',
    'Selection operators',
    '-------------------',
    '  Comparison operators:',
    ...COMPARE_OPS.map((op) => `    ${op.text.padStart(6)}  - ${op.desc}`),
    ' ',
    '  Logical and grouping operators:',
    ...LOGICAL_OPS.map((op) => `    ${op.text.padStart(4)}  - ${op.desc}`),
    ' ',
  ];
}
