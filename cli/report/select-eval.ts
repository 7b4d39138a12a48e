/**
 * Evaluates a parsed `-S` selection against one report row (libdm-report.c's _check_selection and
 * the _cmp_field_* comparisons): numbers as C's uint64, sizes as doubles in sectors with libdm's
 * epsilon, strings with strcmp, regexes on the field's string value; `&&`/`||` stop early and `!`
 * inverts a group.
 */
import type { FieldDef, FieldValue } from './fields.js';
import type { SelectionItem, SelectionNode } from './select-parse.js';

/** The value of a row's field, as the report computed it. */
export type RowValue = (field: FieldDef) => FieldValue;

/** True when the row passes the selection. */
export function selects(node: SelectionNode, value: RowValue): boolean {
  let result: boolean;
  if (node.kind === 'item') result = compare(node, value(node.field));
  else if (node.kind === 'and') result = node.children.every((child) => selects(child, value));
  else result = node.children.some((child) => selects(child, value));
  return node.not ? !result : result;
}

function compare(item: SelectionItem, field: FieldValue): boolean {
  const { op, value } = item;
  switch (value.type) {
    case 'regex': {
      const matched = value.regex.test(String(field.sort));
      return op.not ? !matched : matched;
    }
    case 'string': {
      const equal = String(field.sort) === value.text;
      return op.not ? !equal : equal;
    }
    case 'number': {
      const actual = typeof field.sort === 'bigint' ? field.sort : BigInt(field.sort);
      return order(op.kind, op.not, actual === value.number ? 0 : actual < value.number ? -1 : 1);
    }
    case 'size': {
      const actual = Number(field.sort);
      const difference = actual - value.sectors;
      return order(op.kind, op.not, Math.abs(difference) < Number.EPSILON ? 0 : difference < 0 ? -1 : 1);
    }
  }
}

/** The comparison `kind` (negated for `!=`) of a value that is below (-1), equal to (0) or above (1) the operand. */
function order(kind: SelectionItem['op']['kind'], not: boolean, sign: number): boolean {
  switch (kind) {
    case 'eq':
      return not ? sign !== 0 : sign === 0;
    case 'gt':
      return sign > 0;
    case 'ge':
      return sign >= 0;
    case 'lt':
      return sign < 0;
    case 'le':
      return sign <= 0;
    case 'regex':
      return false;
  }
}
