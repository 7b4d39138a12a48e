/**
 * Shared by the target unit tests: the DmError a refused call throws, checked to be kind
 * 'invalid-argument' with a message naming the field.
 */
import { expect } from 'vitest';
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
