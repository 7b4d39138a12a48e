/**
 * C's number parsing as dmsetup uses it (atoi, strtol, strtoull in the C locale), so numeric
 * arguments are read, accepted and refused exactly as dmsetup reads them.
 */

const C_SPACE = /^[ \t\n\v\f\r]*/;

/** What strtol/strtoull found: the value, where parsing stopped, and whether it overflowed (ERANGE). */
export interface CNumber {
  value: bigint;
  /** Index of the first character not used; 0 when no digits were found (C's endptr == str). */
  end: number;
  overflow: boolean;
}

function digitsOf(base: number): RegExp {
  return base === 8 ? /^[0-7]+/ : /^[0-9]+/;
}

/** The sign, digits and their extent after leading white space; undefined when there are no digits. */
function scan(text: string, base: number): { negative: boolean; magnitude: bigint; end: number } | undefined {
  let at = C_SPACE.exec(text)![0].length;
  let negative = false;
  if (text[at] === '+' || text[at] === '-') {
    negative = text[at] === '-';
    at++;
  }
  const digits = digitsOf(base).exec(text.slice(at));
  if (!digits) return undefined;
  let magnitude = 0n;
  for (const digit of digits[0]) magnitude = magnitude * BigInt(base) + BigInt(digit);
  return { negative, magnitude, end: at + digits[0].length };
}

/** strtoull(text, &end, base): a negative number wraps modulo 2^64, as C does. */
export function strtoull(text: string, base = 10): CNumber {
  const found = scan(text, base);
  if (!found) return { value: 0n, end: 0, overflow: false };
  const max = (1n << 64n) - 1n;
  if (found.magnitude > max) return { value: max, end: found.end, overflow: true };
  const value = found.negative ? BigInt.asUintN(64, -found.magnitude) : found.magnitude;
  return { value, end: found.end, overflow: false };
}

/** strtol(text, &end, base) with a 64-bit long: out of range clamps to LONG_MIN/LONG_MAX with ERANGE. */
export function strtol(text: string, base = 10): CNumber {
  const found = scan(text, base);
  if (!found) return { value: 0n, end: 0, overflow: false };
  const signed = found.negative ? -found.magnitude : found.magnitude;
  const max = (1n << 63n) - 1n;
  const min = -(1n << 63n);
  if (signed > max) return { value: max, end: found.end, overflow: true };
  if (signed < min) return { value: min, end: found.end, overflow: true };
  return { value: signed, end: found.end, overflow: false };
}

/** atoi(text): strtol's value truncated to a 32-bit int; 0 when there is no number. */
export function atoi(text: string): number {
  return Number(BigInt.asIntN(32, strtol(text).value));
}
