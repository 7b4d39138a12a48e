/**
 * How a device is named: by name, uuid or device number, and the rules names and uuids follow.
 * Everything is checked here, before an ioctl, so a bad name gets an error that names the rule.
 */
import { DM_NAME_LEN, DM_UUID_LEN } from '../../native-defs/index.js';
import { invalidArgument } from '../errors.js';
import type { DeviceId } from './device-id.js';
import { validateDevNumber } from './devt.js';

export type { DeviceId } from './device-id.js';

/** The longest device name in bytes: DM_NAME_LEN less its NUL (127). */
export const MAX_NAME_BYTES = DM_NAME_LEN - 1;
/** The longest uuid in bytes: DM_UUID_LEN less its NUL (128). */
export const MAX_UUID_BYTES = DM_UUID_LEN - 1;

/**
 * Checks a device name: 1 to 127 bytes, no `/` (it names a file in /dev/mapper), not `.` or `..`,
 * not `control` (the control node's file), no NUL. Throws a DmError (EINVAL) naming the rule.
 */
export function validateName(name: string, what = 'device name'): void {
  if (typeof name !== 'string' || name.length === 0) throw invalidArgument(`The ${what} is empty; a name is required`);
  if (name.includes('\0')) throw invalidArgument(`The ${what} "${printable(name)}" contains a NUL character`);
  if (name.includes('/')) throw invalidArgument(`The ${what} "${name}" contains "/", which device names cannot contain`);
  if (name === '.' || name === '..') throw invalidArgument(`The ${what} cannot be "${name}"`);
  if (name === 'control') {
    throw invalidArgument(`The ${what} cannot be "control": /dev/mapper/control is the device-mapper control node`);
  }
  const bytes = Buffer.byteLength(name);
  if (bytes > MAX_NAME_BYTES) {
    throw invalidArgument(`The ${what} "${name}" is ${bytes} bytes long; the limit is ${MAX_NAME_BYTES}`);
  }
}

/** Checks a uuid: 1 to 128 bytes, no NUL. Throws a DmError (EINVAL) naming the rule. */
export function validateUuid(uuid: string, what = 'uuid'): void {
  if (typeof uuid !== 'string' || uuid.length === 0) throw invalidArgument(`The ${what} is empty`);
  if (uuid.includes('\0')) throw invalidArgument(`The ${what} "${printable(uuid)}" contains a NUL character`);
  const bytes = Buffer.byteLength(uuid);
  if (bytes > MAX_UUID_BYTES) {
    throw invalidArgument(`The ${what} "${uuid}" is ${bytes} bytes long; the limit is ${MAX_UUID_BYTES}`);
  }
}

/** Checks whichever address a DeviceId carries. */
export function validateDeviceId(id: DeviceId): void {
  if (id === null || typeof id !== 'object') throw invalidArgument('A device is addressed by { name }, { uuid } or { major, minor }');
  // Keys present, not keys defined: { name: 'a', uuid: undefined } is as ambiguous to a reader as to us.
  const keys = ['name', 'uuid', 'major'].filter((key) => key in id);
  if (keys.length !== 1) {
    throw invalidArgument('A device is addressed by exactly one of { name }, { uuid } or { major, minor }');
  }
  if (id.name !== undefined) validateName(id.name);
  else if (id.uuid !== undefined) validateUuid(id.uuid);
  else validateDevNumber(id.major, id.minor);
}

/** A short readable form of an address: `foo`, `uuid LVM-123`, `253:4`. */
export function describeDevice(id: DeviceId): string {
  if (id === null || typeof id !== 'object') throw invalidArgument(`describeDevice needs a device ({ name }, { uuid } or { major, minor }), not ${String(id)}`);
  if (id.name !== undefined) return id.name;
  if (id.uuid !== undefined) return `uuid ${id.uuid}`;
  return `${id.major}:${id.minor}`;
}

function printable(text: string): string {
  return text.replace(/\0/g, '\\0');
}
