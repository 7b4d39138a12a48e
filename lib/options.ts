/**
 * The public option and result types of DeviceMapper's verbs, in one place (they were 130 lines
 * of the facade), and the one option default that takes more than `??` (node ownership).
 */
import type { DeviceInfo } from './device/device-info.js';
import type { DevNumber } from './device/device-id.js';
import type { ControlOptions } from './host/control.js';
import { DEFAULT_NODE_OWNERSHIP, type NodeOwnership } from './host/nodes.js';
import type { ReadAheadSetting } from './host/readahead.js';
import type { NameListEntry } from './ioctl/codec.js';
import type { Transport } from './ioctl/transport.js';
import type { RetryOptions } from './retry.js';
import type { StatusRow } from './table/rows.js';
import type { TableRow } from './table/table.js';
import type { NameMangling } from './names/mangle.js';

/** A device as LIST_DEVICES reports it. */
export type ListedDevice = NameListEntry;

/**
 * Options of `DeviceMapper.open()`: the control node (ControlOptions), node keeping, udev, buffers
 * and diagnostics. Every field is optional.
 */
export interface DeviceMapperOptions extends ControlOptions {
  /** Upper bound for ioctl buffer growth, in bytes (default 256 MiB). */
  maxBufferSize?: number;
  /**
   * How ioctls reach the kernel (default: libc's ioctl(2)). Tests of tools built on the library
   * can pass a scripted one; see `Transport`.
   */
  transport?: Transport;
  /**
   * Who keeps `/dev/mapper/<name>` nodes: `'auto'` (default) the library when udev is not running
   * or DM_DISABLE_UDEV is set (or the device directory is not /dev), else udev, waited for as
   * `udevSync` says; `true` always the library; `false` nobody.
   */
  nodes?: 'auto' | boolean;
  /**
   * How to wait for udev when it keeps the nodes (default `'cookie'`): libdevmapper's semaphore
   * cookies, so Debian's rules and dmsetup work with us; `'monitor'`, udev's processed events on
   * netlink, no semaphore at all (chosen by itself where udev runs in another IPC namespace);
   * `'off'`, no wait.
   */
  udevSync?: 'cookie' | 'monitor' | 'off';
  /** How long to wait for udev, in ms (default 30 000); then the library warns and keeps the node itself. */
  udevTimeoutMs?: number;
  /** After each wait, check udev's node and say what it got wrong (dmsetup --verifyudev). */
  verifyUdev?: boolean;
  /** Keep udev's DM rules out (dmsetup --noudevrules): the library makes the nodes after the wait. */
  noUdevRules?: boolean;
  /** Join this udev cookie (dmsetup --udevcookie): the library never waits for it; the caller releases it. */
  udevCookie?: number;
  /** Where warnings go (udev too slow, udev's node wrong); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
  /** Owner, group and mode of the nodes the library makes (default root:disk 0660). */
  nodeOwnership?: Partial<NodeOwnership>;
  /** Make a device's node when it is resumed (default, as dmsetup) or as soon as it is created. */
  addNodeOn?: 'resume' | 'create';
  /**
   * Attach the kernel's `device-mapper:` log lines (read from /dev/kmsg) to each failed ioctl's
   * DmError as `kernelLog` ("thin-pool: Invalid argument count", "loop0 too small for target"),
   * so nobody has to read dmesg. Off by default: it costs a /dev/kmsg read per ioctl.
   */
  kernelLog?: boolean;
  /** Check a table's target types before create and load, modprobing missing ones (default true). */
  ensureTargets?: boolean;
  /**
   * How device names and uuids are mangled for the kernel, as libdevmapper does (so udev can take
   * them): `'auto'` writes bytes outside `0-9A-Za-z#+-.:=@_` as `\xNN` unless the string is
   * already in that form, `'hex'` always, `'none'` sends them as given. Replies are unmangled
   * the same way (strictly: a kernel name with raw odd bytes is refused unless `'none'`).
   * Default: DM_DEFAULT_NAME_MANGLING_MODE when it names a mode, else `'auto'` (libdm's).
   */
  nameMangling?: NameMangling;
}

/** The node ownership `options` ask for, over the defaults (a field left undefined keeps its default). */
export function nodeOwnershipOf(options: DeviceMapperOptions): NodeOwnership {
  const asked = Object.entries(options.nodeOwnership ?? {}).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_NODE_OWNERSHIP, ...Object.fromEntries(asked) };
}

/** Options of `create()` (and the create step of `createDevice()`). */
export interface CreateOptions extends UdevCallOptions {
  /**
   * The device's uuid (at most 128 bytes; checked before the ioctl unless `validate: false`). A
   * uuid cannot be changed once set.
   */
  uuid?: string;
  /** Ask for this device number (a "persistent" minor; the major is the driver's). */
  dev?: DevNumber;
  /** Sets the read-only flag on the create request; pass it to load() as well for a read-only table. */
  readOnly?: boolean;
  /**
   * Check the name and uuid before the ioctl (default true). false sends them as given and leaves
   * the judgement to the kernel, as dmsetup does (it accepts `control`, `.` and `..` on 6.1).
   */
  validate?: boolean;
}

/** Options of `load()` (and the load step of `createDevice()`). */
export interface LoadOptions {
  /** Load the table read-only. */
  readOnly?: boolean;
  /**
   * The table carries secrets: DM_SECURE_DATA (the kernel wipes its copies) and our buffer zeroed.
   * Implied for rows with `secret` or of type crypt or integrity (as cryptsetup does); set it for
   * keys of other targets.
   */
  secure?: boolean;
  /**
   * Check the rows before the ioctl (default true). false sends them as given, as dmsetup does:
   * the kernel then answers a gap or a zero length with a bare EINVAL.
   */
  validate?: boolean;
}

/** Per-call udev setting of the verbs that carry a udev cookie. */
export interface UdevCallOptions {
  /** How long to wait for udev after this call, in ms (default: the handle's). */
  udevTimeoutMs?: number;
}

/** Options of `suspend()`; `resume()` takes them too, for the suspend it does before swapping tables. */
export interface SuspendOptions {
  /** Do not flush queued I/O (DM_NOFLUSH_FLAG): e.g. for multipath with no paths. */
  noFlush?: boolean;
  /** Do not freeze the file system on top (DM_SKIP_LOCKFS_FLAG). */
  noLockfs?: boolean;
}

/** Options of `resume()` (and the resume step of `createDevice()`). */
export interface ResumeOptions extends SuspendOptions, UdevCallOptions {
  /** Read-ahead to set once the device is live (default: leave the kernel's). */
  readAhead?: ReadAheadSetting;
}

/** Options of `remove()` and `removeAsync()`. */
export interface RemoveOptions extends UdevCallOptions {
  /** Remove once the last opener closes the device, instead of failing with EBUSY now. */
  deferred?: boolean;
  /** Retry on EBUSY (udev or blkid often hold a new device for a moment). */
  retry?: boolean | RetryOptions;
}

/** Options of `table()`, `status()` and `waitEvent()`. */
export interface TableQueryOptions {
  /** Query the inactive table instead of the live one. */
  inactive?: boolean;
  /** Do not flush (e.g. a thin pool then does not commit metadata for status). */
  noFlush?: boolean;
}

/** Options of `table()`. */
export interface TableOptions extends TableQueryOptions {
  /**
   * Give keys in the params text, as `dmsetup table --showkeys` prints them: strings the library
   * cannot wipe. Default false: a key-bearing row's `params` show its keys as zeros and
   * `row.secret` holds them as SecretKeys (dispose them when done).
   */
  showKeys?: boolean;
}

/** The geometry a device reports to HDIO_GETGEO. */
export interface Geometry {
  /** Cylinders (a whole number, 0 or more, like every field here). */
  cylinders: number;
  /** Heads per cylinder. */
  heads: number;
  /** Sectors per track. */
  sectors: number;
  /** The start sector the device reports (HDIO_GETGEO's `start`). */
  start: number;
}

/** A device's state and its table rows, each with its params (`table()`). */
export interface TableQueryResult {
  /** The device's state, from the same reply as the rows. */
  info: DeviceInfo;
  /**
   * One row per target, in table order, with its table params; a key-bearing row (crypt, keyed
   * integrity) has its keys in `secret` and zeros in `params`, unless `showKeys` was asked.
   */
  rows: TableRow[];
}

/**
 * A device's state and its status rows (`status()`, `waitEvent()`): each a `StatusRow`, its text
 * in `status`, so it can never be loaded or parsed as table params. `parseStatusRow(row, thinPool)`
 * types a row's status.
 */
export interface StatusQueryResult {
  /** The device's state when the status was read. */
  info: DeviceInfo;
  /** One StatusRow per target, in table order: where it starts, its length, type and status text. */
  rows: StatusRow[];
}

/** Options every async call takes. */
export interface AsyncOptions {
  /** Cancels the call: a wait ends at once; another call stops before its next ioctl. Rejects with DmError ECANCELED. */
  signal?: AbortSignal | undefined;
}
