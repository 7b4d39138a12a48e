/**
 * Shared by the target unit tests: the DmError a refused call throws, checked to be kind
 * 'invalid-argument' with a message naming the field.
 */
import { expect, it } from 'vitest';
import { DmError } from '../../../lib/errors.js';

/** Runs `fn`, which must be refused; checks the error names `field` and returns its message. */
export function expectRefused(fn: () => unknown, field: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a refusal naming ${field}`).toBeInstanceOf(DmError);
  const error = caught as DmError;
  expect(error.kind).toBe('invalid-argument');
  expect(error.code).toBe('EINVAL');
  expect(error.message).toContain(field);
  return error.message;
}

/** The table-driven checks every target file runs. */
export interface TargetCases<P> {
  /** Canonical kernel text (as `table` shows it) and the params it stands for. */
  good: [text: string, params: P][];
  /** Params format must refuse, and the field the message must name. */
  badParams: [params: unknown, field: string][];
  /** Text parse must refuse, and the field the message must name. */
  badText: [text: string, field: string][];
}

interface Kind<P> {
  readonly type: string;
  format(params: P): string;
  parse(text: string): P;
  (params: P): unknown;
}

/** Round trips both ways for `good`, refusals naming the field for the bad ones (format and builder alike). */
export function checkTarget<P>(kind: Kind<P>, cases: TargetCases<P>, normalise: (params: P) => unknown = (p) => p): void {
  it.each(cases.good.map(([text, params]) => [text, params] as const))('%s round-trips', (text, params) => {
    expect(kind.format(params)).toBe(text);
    expect(normalise(kind.parse(text))).toEqual(normalise(params));
    expect(kind.format(kind.parse(text))).toBe(text);
  });
  it.each(cases.badParams.map(([params, field], index) => [index, field, params] as const))('bad params #%i refused naming %s', (_, field, params) => {
    expectRefused(() => kind.format(params as P), `${kind.type}: ${field}`);
    expectRefused(() => kind(params as P), `${kind.type}: ${field}`);
  });
  it.each(cases.badText)('parse refuses %j naming %s', (text, field) => {
    expectRefused(() => kind.parse(text), `${kind.type}: ${field}`);
  });
}
