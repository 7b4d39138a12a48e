/** The DmError a call throws (or a promise rejects with), for assertions on its fields. */
import { expect } from 'vitest';
import { DmError } from '../../lib/index.js';

export function caught(run: () => unknown): DmError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    return error as DmError;
  }
  throw new Error('expected a DmError');
}

export async function rejected(promise: Promise<unknown>): Promise<DmError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    return error as DmError;
  }
  throw new Error('expected a DmError');
}
