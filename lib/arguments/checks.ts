/**
 * Type checks of arguments at the public entry points: each throws a DmError kind
 * 'invalid-argument' naming the argument, so a caller without TypeScript (or with `as any`) gets
 * the rule it broke instead of a TypeError from deep inside Node. These check shapes only; the
 * rules of names, uuids and tables stay with their owners (device/names.ts, table/table.ts), so
 * `validate: false` still sends a well-typed but unusual value as given.
 */
import { invalidArgument, type DmError } from '../errors.js';
import { validateDevNumber } from '../device/devt.js';
import { validateDeviceId, validateName } from '../device/names.js';

/** Checks one value; `what` names it in the message ("argument 2 (sector) of message()"). */
export type Check = (value: unknown, what: string) => void;

/** A short, safe rendering of a refused value for a message. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value as unknown);
}

function refuse(what: string, expected: string, value: unknown): never {
  throw invalidArgument(`${what} must be ${expected}, not ${shown(value)}`);
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const boolean: Check = (value, what) => {
  if (typeof value !== 'boolean') refuse(what, 'true or false', value);
};

export const text: Check = (value, what) => {
  if (typeof value !== 'string') refuse(what, 'a string', value);
  if (value.includes('\0')) throw invalidArgument(`${what} contains a NUL character`);
};

/** A whole number from `min` to `max`. */
export function whole(min: number, max: number): Check {
  return (value, what) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      refuse(what, `a whole number from ${min} to ${max}`, value);
    }
  };
}

/** A non-negative duration in ms (fractions allowed). */
export const milliseconds: Check = (value, what) => {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) refuse(what, 'a number of milliseconds of 0 or more', value);
};

export const signal: Check = (value, what) => {
  if (!(value instanceof AbortSignal)) refuse(what, 'an AbortSignal', value);
};

export const func: Check = (value, what) => {
  if (typeof value !== 'function') refuse(what, 'a function', value);
};

/**
 * A sector's type: a number or a bigint. Whether it is whole and from 0 to 2^64-1 is the request's
 * own check (operations/specs.ts), whose message names the sector ("The sector 1.5 is not a whole number").
 */
export const sector: Check = (value, what) => {
  if (typeof value !== 'number' && typeof value !== 'bigint') refuse(what, 'a whole number of sectors (or a bigint)', value);
};

/**
 * A device address. The facade's methods only check that it is an object here: the exchange
 * loop validates every address it sends (validateDeviceId), so the hot path checks it once.
 */
export const deviceShape: Check = (value, what) => {
  if (!isPlainObject(value)) refuse(what, 'a device: { name }, { uuid } or { major, minor }', value);
};

/** A device address, fully checked (for builders that keep it for later). */
export const device: Check = (value, what) => {
  deviceShape(value, what);
  try {
    validateDeviceId(value as never);
  } catch (error) {
    throw invalidArgument(`${what}: ${(error as Error).message}`);
  }
};

export const name: Check = (value, what) => {
  if (typeof value !== 'string') refuse(what, 'a device name (a string)', value);
  validateName(value, what);
};

export const devNumber: Check = (value, what) => {
  if (!isPlainObject(value)) refuse(what, 'a device number { major, minor }', value);
  if (typeof value['major'] !== 'number' || typeof value['minor'] !== 'number') refuse(what, 'a device number { major, minor }', value);
  validateDevNumber(value['major'], value['minor']);
};

/** The refusal of a StatusRow where a table row belongs (its text is status, never params). */
export function statusRowRefusal(index: number): DmError {
  return invalidArgument(
    `Table row ${index + 1} is a status row (from status() or waitEvent()): status text cannot be loaded as table params; load rows from table() or a target builder`,
  );
}

/** A table row's shape: start and length numbers, type and params strings (a status row named as such). */
export const rows: Check = (value, what) => {
  if (!Array.isArray(value)) refuse(what, 'an array of table rows', value);
  value.forEach((row: unknown, index) => {
    const where = `${what}: row ${index + 1}`;
    if (!isPlainObject(row)) refuse(where, 'an object { start, length, type, params }', row);
    if (row['kind'] === 'status') throw statusRowRefusal(index);
    for (const key of ['start', 'length']) {
      if (typeof row[key] !== 'number' && typeof row[key] !== 'bigint') refuse(`${where}: ${key}`, 'a number of sectors (a bigint past 2^53)', row[key]);
    }
    // Types only: NUL and the other rules are validateTable's (and the codec's, with validate: false).
    for (const key of ['type', 'params']) {
      if (typeof row[key] !== 'string') refuse(`${where}: ${key}`, 'a string', row[key]);
    }
  });
};

/** Either of two checks. */
export function either(a: Check, b: Check, expected: string): Check {
  return (value, what) => {
    try {
      a(value, what);
    } catch {
      try {
        b(value, what);
      } catch {
        refuse(what, expected, value);
      }
    }
  };
}

/** One of the listed literal values. */
export function oneOf(...values: readonly unknown[]): Check {
  return (value, what) => {
    if (!values.includes(value)) refuse(what, `one of ${values.map(shown).join(', ')}`, value);
  };
}

/** An object whose listed fields, when defined, pass their checks (other fields are left alone). */
export function fields(schema: Readonly<Record<string, Check>>): Check {
  const entries = Object.entries(schema);
  return (value, what) => {
    if (!isPlainObject(value)) refuse(what, 'an options object', value);
    for (const [key, check] of entries) {
      if (value[key] !== undefined) check(value[key], `${what}: ${key}`);
    }
  };
}

/** Optional: undefined passes, anything else must pass `check`. */
export function optional(check: Check): Check {
  return (value, what) => {
    if (value !== undefined) check(value, what);
  };
}

/** An array (or other iterable that is not a string) of values passing `check`. */
export function listOf(check: Check): Check {
  return (value, what) => {
    if (typeof value === 'string' || value === null || typeof value !== 'object' || !(Symbol.iterator in value)) {
      refuse(what, 'an array', value);
    }
    let index = 0;
    for (const item of value as Iterable<unknown>) check(item, `${what}: item ${++index}`);
  };
}

/** A DeviceMapper (or anything with its verbs), for the toolkit's functions that take one. */
export const mapper: Check = (value, what) => {
  if (value === null || typeof value !== 'object' || typeof (value as { info?: unknown }).info !== 'function') {
    refuse(what, 'a DeviceMapper', value);
  }
};

/** Any object (a tree node, a plan member): a value that is not one is refused. */
export const object: Check = (value, what) => {
  if (value === null || typeof value !== 'object') refuse(what, 'an object', value);
};

/** A node of a DeviceTree: an object with `deps` and `holders` arrays. */
export const treeNode: Check = (value, what) => {
  if (!isPlainObject(value) || !Array.isArray(value['deps']) || !Array.isArray(value['holders'])) refuse(what, 'a tree node (from a DeviceTree)', value);
};
