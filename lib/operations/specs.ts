/**
 * The requests behind each verb: which command, which flags, which payload, and the checks that
 * come before any ioctl. Pure functions; the verbs (./lifecycle.ts and the facade) send them.
 */
import { DmFlag } from '../../native-defs/index.js';
import type { DeviceId } from '../device/device-id.js';
import { invalidArgument } from '../errors.js';
import type { IoctlSpec } from '../ioctl/dm-ioctl.js';
import type { CreateOptions, Geometry, LoadOptions, RemoveOptions, SuspendOptions, TableQueryOptions, UdevCallOptions } from '../options.js';
import { carriesSecrets, encodeTable, type TableRow } from '../table/table.js';

const flag = (on: boolean | undefined, bit: number): number => (on ? bit : 0);

export function createSpec(name: string, options: CreateOptions): IoctlSpec {
  return {
    command: 'DEV_CREATE',
    operation: 'create',
    name,
    uuid: options.uuid,
    dev: options.dev,
    flags: flag(options.readOnly, DmFlag.READONLY),
    udevTimeoutMs: options.udevTimeoutMs,
  };
}

/**
 * TABLE_LOAD of rows already checked; `label` names a dev-addressed device in errors. Rows that
 * carry keys (or are of a key-bearing type) are always loaded secure, `secure: true` or not.
 */
export function loadSpec(device: DeviceId, rows: readonly TableRow[], options: LoadOptions, label?: string): IoctlSpec {
  const secure = options.secure === true || carriesSecrets(rows);
  return {
    command: 'TABLE_LOAD',
    operation: 'reload',
    device,
    flags: flag(options.readOnly, DmFlag.READONLY) | flag(secure, DmFlag.SECURE_DATA),
    payload: { kind: 'targets', targets: encodeTable(rows) },
    secure,
    label: label !== undefined ? { name: label } : undefined,
  };
}

export function suspendSpec(device: DeviceId, suspend: boolean, options: SuspendOptions & UdevCallOptions): IoctlSpec {
  return {
    udevTimeoutMs: options.udevTimeoutMs,
    command: 'DEV_SUSPEND',
    operation: suspend ? 'suspend' : 'resume',
    device,
    flags: flag(suspend, DmFlag.SUSPEND) | flag(options.noFlush, DmFlag.NOFLUSH) | flag(options.noLockfs, DmFlag.SKIP_LOCKFS),
  };
}

export function removeSpec(device: DeviceId, options: RemoveOptions): IoctlSpec {
  return {
    command: 'DEV_REMOVE',
    operation: 'remove',
    device,
    flags: flag(options.deferred, DmFlag.DEFERRED_REMOVE),
    udevTimeoutMs: options.udevTimeoutMs,
  };
}

/** DEV_RENAME to a new name, or (`uuid`) to a first uuid; the kernel finds the device by name only. */
export function renameSpec(name: string, value: string, what: 'name' | 'uuid'): IoctlSpec {
  return {
    command: 'DEV_RENAME',
    operation: 'rename',
    device: { name },
    flags: flag(what === 'uuid', DmFlag.UUID),
    payload: { kind: 'string', value },
  };
}

export function infoSpec(device: DeviceId, options: { inactive?: boolean | undefined }): IoctlSpec {
  return { command: 'DEV_STATUS', operation: 'info', device, flags: flag(options.inactive, DmFlag.QUERY_INACTIVE_TABLE) };
}

export function depsSpec(device: DeviceId, options: { inactive?: boolean | undefined }): IoctlSpec {
  return { command: 'TABLE_DEPS', operation: 'deps', device, flags: flag(options.inactive, DmFlag.QUERY_INACTIVE_TABLE) };
}

/** TABLE_STATUS: the table's params (`table`) or the targets' status lines (`status`). */
export function tableQuerySpec(device: DeviceId, operation: 'table' | 'status', options: TableQueryOptions): IoctlSpec {
  return {
    command: 'TABLE_STATUS',
    operation,
    device,
    flags:
      flag(operation === 'table', DmFlag.STATUS_TABLE) |
      flag(options.inactive, DmFlag.QUERY_INACTIVE_TABLE) |
      flag(options.noFlush, DmFlag.NOFLUSH),
  };
}

export function waitSpec(device: DeviceId, eventNr: number, options: TableQueryOptions): IoctlSpec {
  if (!Number.isInteger(eventNr) || eventNr < 0 || eventNr > 0xffffffff) {
    throw invalidArgument(`The event number ${eventNr} must be a whole number from 0 to 4294967295`);
  }
  return {
    command: 'DEV_WAIT',
    operation: 'waitevent',
    device,
    eventNr,
    flags: flag(options.inactive, DmFlag.QUERY_INACTIVE_TABLE) | flag(options.noFlush, DmFlag.NOFLUSH),
  };
}

export function messageSpec(device: DeviceId, sector: number | bigint, message: string): IoctlSpec {
  if (typeof sector === 'number' && !Number.isSafeInteger(sector)) throw invalidArgument(`The sector ${sector} is not a whole number`);
  const at = BigInt(sector);
  if (at < 0n || at > 0xffffffffffffffffn) throw invalidArgument(`The sector ${sector} is out of range (0 to 2^64-1)`);
  return { command: 'TARGET_MSG', operation: 'message', device, payload: { kind: 'message', sector: at, message } };
}

export function targetVersionSpec(type: string): IoctlSpec {
  if (!type || Buffer.byteLength(type) >= 128) throw invalidArgument(`Invalid target type name "${type}"`);
  return { command: 'GET_TARGET_VERSION', operation: 'target-version', name: type };
}

/** `"<cyl> <heads> <sectors> <start>"`, each a whole non-negative number. */
export function geometryText(geometry: Geometry): string {
  const parts = [geometry.cylinders, geometry.heads, geometry.sectors, geometry.start];
  if (!parts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
    throw invalidArgument('Geometry values must be whole non-negative numbers');
  }
  return parts.join(' ');
}

export function geometrySpec(device: DeviceId, geometry: string): IoctlSpec {
  return { command: 'DEV_SET_GEOMETRY', operation: 'setgeometry', device, payload: { kind: 'string', value: geometry } };
}
