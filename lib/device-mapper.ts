/**
 * `DeviceMapper`: one open control node and every device-mapper operation on it.
 *
 * Every method addresses a device by `{ name }`, `{ uuid }` or `{ major, minor }`, checks its
 * arguments before any ioctl, and throws a DmError (`code` = errno name) on failure. The calls that
 * can block in the kernel (suspend, resume, remove, wait) also have async forms that run the ioctl
 * on a worker thread and never block the event loop.
 */
import { DmFlag } from '../native-defs/index.js';
import {
  decodeDeps,
  decodeMessageReply,
  decodeNameList,
  decodeTargets,
  decodeTargetVersions,
  type NameListEntry,
  type ReplyHeader,
  type TargetReply,
  type TargetVersion,
} from './ioctl/codec.js';
import { closeControl, openControl, resolveDevDir, type ControlOptions } from './host/control.js';
import { deviceInfoFromHeader, type DeviceInfo } from './device/device-info.js';
import type { DevNumber } from './device/devt.js';
import { DmError, dmError, invalidArgument, isDmError } from './errors.js';
import { DmIoctl, type IoctlSpec } from './ioctl/dm-ioctl.js';
import { validateName, validateUuid, type DeviceId } from './device/names.js';
import { ensureTargets } from './targets/modules.js';
import { DEFAULT_NODE_OWNERSHIP, DeviceNodes, udevIsRunning, type NodeOwnership, type NodeSyncReport } from './host/nodes.js';
import { applyReadAhead, type ReadAheadSetting } from './host/readahead.js';
import { sleep, sleepSync } from './sleep.js';
import { encodeTable, validateTable, type TableRow } from './table/table.js';

export type { DeviceInfo } from './device/device-info.js';
export type { NameListEntry, TargetReply, TargetVersion } from './ioctl/codec.js';

/** A device as LIST_DEVICES reports it. */
export type ListedDevice = NameListEntry;

export interface DeviceMapperOptions extends ControlOptions {
  /** Upper bound for ioctl buffer growth, in bytes (default 256 MiB). */
  maxBufferSize?: number;
  /**
   * Who keeps `/dev/mapper/<name>` nodes: `'auto'` (default) the library when udev is not running
   * or DM_DISABLE_UDEV is set, else udev; `true` always the library; `false` nobody.
   */
  nodes?: 'auto' | boolean;
  /** Owner, group and mode of the nodes the library makes (default root:disk 0660). */
  nodeOwnership?: Partial<NodeOwnership>;
  /** Make a device's node when it is resumed (default, as dmsetup) or as soon as it is created. */
  addNodeOn?: 'resume' | 'create';
  /** Check a table's target types before create and load, modprobing missing ones (default true). */
  ensureTargets?: boolean;
}

export interface CreateOptions {
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

export interface LoadOptions {
  /** Load the table read-only. */
  readOnly?: boolean;
  /** The table carries secrets (crypt keys): the kernel wipes its copies, we zero our buffer. */
  secure?: boolean;
  /**
   * Check the rows before the ioctl (default true). false sends them as given, as dmsetup does:
   * the kernel then answers a gap or a zero length with a bare EINVAL.
   */
  validate?: boolean;
}

export interface SuspendOptions {
  /** Do not flush queued I/O (DM_NOFLUSH_FLAG): e.g. for multipath with no paths. */
  noFlush?: boolean;
  /** Do not freeze the file system on top (DM_SKIP_LOCKFS_FLAG). */
  noLockfs?: boolean;
}

export interface ResumeOptions extends SuspendOptions {
  /** Read-ahead to set once the device is live (default: leave the kernel's). */
  readAhead?: ReadAheadSetting;
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 25, as dmsetup --retry). */
  attempts?: number;
  /** Delay before the second attempt, in ms (default 200). */
  delayMs?: number;
  /** Each further delay is multiplied by this (default 1: dmsetup's fixed 200 ms). */
  backoff?: number;
  /** Called after each EBUSY failure that will be retried. */
  onRetry?: (error: DmError, attempt: number) => void;
}

export interface RemoveOptions {
  /** Remove once the last opener closes the device, instead of failing with EBUSY now. */
  deferred?: boolean;
  /** Retry on EBUSY (udev or blkid often hold a new device for a moment). */
  retry?: boolean | RetryOptions;
}

export interface TableQueryOptions {
  /** Query the inactive table instead of the live one. */
  inactive?: boolean;
  /** Do not flush (e.g. a thin pool then does not commit metadata for status). */
  noFlush?: boolean;
}

/** The geometry a device reports to HDIO_GETGEO. */
export interface Geometry {
  cylinders: number;
  heads: number;
  sectors: number;
  start: number;
}

/** A device's state and its table rows (table params or status text). */
export interface TableQueryResult {
  info: DeviceInfo;
  rows: TargetReply[];
}

const DEFAULT_RETRY = { attempts: 25, delayMs: 200, backoff: 1 };

export class DeviceMapper {
  /** The ioctl transport: exposed for tooling that needs a raw request. */
  readonly ioctl: DmIoctl;
  /** The /dev/mapper nodes this handle keeps, or undefined when udev (or nobody) keeps them. */
  readonly nodes: DeviceNodes | undefined;
  private readonly addNodeOn: 'resume' | 'create';
  private readonly checkTargets: boolean;
  private readonly modprobe: string | false | undefined;
  private readonly devDir: string;
  private readonly nodeOwnership: NodeOwnership;
  private closed = false;
  /** Target types this handle has seen the kernel provide: a loaded target module stays loaded while used. */
  private readonly knownTargets = new Set<string>();
  /** Async ioctls not finished yet: the fd stays open for them after close(). */
  private inFlight = 0;


  private constructor(
    private readonly fd: number,
    options: DeviceMapperOptions,
  ) {
    this.ioctl = new DmIoctl(fd, options.maxBufferSize !== undefined ? { maxBufferSize: options.maxBufferSize } : {});
    this.nodeOwnership = { ...DEFAULT_NODE_OWNERSHIP, ...definedOnly(options.nodeOwnership) };
    this.nodes = libraryKeepsNodes(options.nodes ?? 'auto')
      ? new DeviceNodes(resolveDevDir(options.devDir), this.nodeOwnership)
      : undefined;
    this.addNodeOn = options.addNodeOn ?? 'resume';
    this.checkTargets = options.ensureTargets ?? true;
    this.modprobe = options.modprobe;
    this.devDir = resolveDevDir(options.devDir);
  }

  /** Opens the control node. Call close() (or use `using`) when done: it holds one fd. */
  static open(options: DeviceMapperOptions = {}): DeviceMapper {
    const fd = openControl(options);
    try {
      return new DeviceMapper(fd, options);
    } catch (error) {
      closeControl(fd);
      throw error;
    }
  }

  /**
   * Closes the control node. Further calls throw; async calls already under way finish first (the
   * fd is closed after the last of them, so it is never reused under them).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) closeControl(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The driver's interface version, e.g. [4, 47, 0]. */
  driverVersion(): [number, number, number] {
    this.assertOpen();
    return this.ioctl.driverVersion();
  }

  /** Every device, in the kernel's order (by name). Uuids are included when the driver can (4.45+) or asked. */
  list(options: { uuids?: boolean } = {}): ListedDevice[] {
    this.assertOpen(); // before the version check, which would send an ioctl on the closed fd
    const uuids = options.uuids ?? this.ioctl.driverAtLeast(45);
    return this.run({ command: 'LIST_DEVICES', operation: 'names', flags: uuids ? DmFlag.UUID : 0 }, decodeNameList);
  }

  /** Creates a device with no table (suspended, until a table is loaded and it is resumed). */
  create(name: string, options: CreateOptions = {}): DeviceInfo {
    if (options.validate !== false) {
      validateName(name);
      if (options.uuid !== undefined) validateUuid(options.uuid);
    }
    const info = this.run(
      {
        command: 'DEV_CREATE',
        operation: 'create',
        name,
        uuid: options.uuid,
        dev: options.dev,
        flags: options.readOnly ? DmFlag.READONLY : 0,
      },
      (_, header) => deviceInfoFromHeader(header),
    );
    if (this.addNodeOn === 'create' && this.nodes) {
      try {
        this.nodes.add(info.name, info);
      } catch (error) {
        // No half-made device: the caller gets the node error and no device.
        this.run({ command: 'DEV_REMOVE', operation: 'remove', device: { major: info.major, minor: info.minor } }, () => undefined);
        throw error;
      }
    }
    return info;
  }

  /** Loads `rows` as the device's inactive table; resume() makes it live. */
  load(device: DeviceId, rows: readonly TableRow[], options: LoadOptions = {}): DeviceInfo {
    if (options.validate !== false) validateTable(rows);
    this.ensureTableTargets(rows);
    return this.loadChecked(device, rows, options);
  }

  /** Drops the inactive table. */
  clear(device: DeviceId): DeviceInfo {
    return this.run({ command: 'TABLE_CLEAR', operation: 'clear', device }, (_, header) => deviceInfoFromHeader(header));
  }

  /** Suspends the device: I/O is queued (or, with noFlush, kept) until resume. */
  suspend(device: DeviceId, options: SuspendOptions = {}): DeviceInfo {
    return this.run(this.suspendSpec(device, true, options), (_, header) => deviceInfoFromHeader(header));
  }

  suspendAsync(device: DeviceId, options: SuspendOptions = {}): Promise<DeviceInfo> {
    return this.runAsync(this.suspendSpec(device, true, options), (_, header) => deviceInfoFromHeader(header));
  }

  /** Resumes the device, making an inactive table live first if there is one. */
  resume(device: DeviceId, options: ResumeOptions = {}): DeviceInfo {
    return this.afterResume(
      this.run(this.suspendSpec(device, false, options), (_, header) => deviceInfoFromHeader(header)),
      options,
    );
  }

  async resumeAsync(device: DeviceId, options: ResumeOptions = {}): Promise<DeviceInfo> {
    return this.afterResume(
      await this.runAsync(this.suspendSpec(device, false, options), (_, header) => deviceInfoFromHeader(header)),
      options,
    );
  }

  /** Removes the device. With `deferred`, a device still open is removed when its last user closes it. */
  remove(device: DeviceId, options: RemoveOptions = {}): void {
    const spec = this.removeSpec(device, options);
    const retry = new BusyRetry(options.retry);
    for (let attempt = 1; ; attempt++) {
      try {
        this.afterRemove(this.run(spec, (_, header) => header.name));
        return;
      } catch (error) {
        sleepSync(retry.delayAfter(error, attempt));
      }
    }
  }

  async removeAsync(device: DeviceId, options: RemoveOptions = {}): Promise<void> {
    const spec = this.removeSpec(device, options);
    const retry = new BusyRetry(options.retry);
    for (let attempt = 1; ; attempt++) {
      try {
        this.afterRemove(await this.runAsync(spec, (_, header) => header.name));
        return;
      } catch (error) {
        await sleep(retry.delayAfter(error, attempt));
      }
    }
  }

  /** Cancels a deferred removal (the `@cancel_deferred_remove` message). */
  cancelDeferredRemove(device: DeviceId): void {
    this.message(device, 0, '@cancel_deferred_remove');
  }

  /** Removes every device that is not in use (with `deferred`, the ones in use once they close). */
  removeAll(options: { deferred?: boolean } = {}): void {
    this.run(
      { command: 'REMOVE_ALL', operation: 'remove_all', flags: options.deferred ? DmFlag.DEFERRED_REMOVE : 0 },
      () => undefined,
    );
    if (this.nodes) this.syncNodes();
  }

  /**
   * Makes /dev/mapper match the kernel (dmsetup mknodes): with `names`, just those nodes; without,
   * every device's node, and stale entries removed. Works whoever keeps nodes normally.
   */
  syncNodes(names?: readonly string[]): NodeSyncReport {
    const nodes = this.nodes ?? new DeviceNodes(this.devDir, this.nodeOwnership);
    return nodes.sync(this.list({ uuids: false }), names);
  }

  /** Renames the device. Returns its state under the new name. */
  rename(device: DeviceId, newName: string): DeviceInfo {
    validateName(newName, 'new device name');
    // The kernel renames by name only: a device given by uuid or number is looked up first.
    const oldName = device.name !== undefined ? device.name : this.info(device).name;
    const info = this.run(
      {
        command: 'DEV_RENAME',
        operation: 'rename',
        device: { name: oldName },
        payload: { kind: 'string', value: newName },
      },
      // The kernel's reply still carries the name the request was sent with.
      (_, header) => ({ ...deviceInfoFromHeader(header), name: newName }),
    );
    this.nodes?.rename(oldName, newName, info);
    return info;
  }

  /** Gives a device that has no uuid one (a uuid, once set, cannot change). */
  setUuid(device: DeviceId, uuid: string): DeviceInfo {
    validateUuid(uuid, 'new uuid');
    return this.run(
      {
        command: 'DEV_RENAME',
        operation: 'rename',
        // As for rename, the kernel finds the device by name only.
        device: device.name !== undefined ? device : { name: this.info(device).name },
        flags: DmFlag.UUID,
        payload: { kind: 'string', value: uuid },
      },
      // The reply carries the uuid the request was sent with (none).
      (_, header) => ({ ...deviceInfoFromHeader(header), uuid }),
    );
  }

  /** The device's state. Throws DmError ENXIO when it does not exist. */
  info(device: DeviceId, options: { inactive?: boolean } = {}): DeviceInfo {
    return this.run(
      { command: 'DEV_STATUS', operation: 'info', device, flags: options.inactive ? DmFlag.QUERY_INACTIVE_TABLE : 0 },
      (_, header) => deviceInfoFromHeader(header),
    );
  }

  /** The device's state, or undefined when there is no such device. */
  tryInfo(device: DeviceId): DeviceInfo | undefined {
    try {
      return this.info(device);
    } catch (error) {
      if (isDmError(error, 'ENXIO')) return undefined;
      throw error;
    }
  }

  /** The devices the table uses, with the device's state. */
  deps(device: DeviceId, options: { inactive?: boolean } = {}): { info: DeviceInfo; deps: DevNumber[] } {
    return this.run(
      { command: 'TABLE_DEPS', operation: 'deps', device, flags: options.inactive ? DmFlag.QUERY_INACTIVE_TABLE : 0 },
      // A device with no table gets no dependency list back (data_size stops before data_start).
      (buffer, header) => ({
        info: deviceInfoFromHeader(header),
        deps: header.dataSize > header.dataStart ? decodeDeps(buffer, header) : [],
      }),
    );
  }

  /** Each target's status line (what `dmsetup status` prints). */
  status(device: DeviceId, options: TableQueryOptions = {}): TableQueryResult {
    return this.tableQuery(device, 'status', 0, options);
  }

  /** The table as loaded (what `dmsetup table` prints). */
  table(device: DeviceId, options: TableQueryOptions = {}): TableQueryResult {
    return this.tableQuery(device, 'table', DmFlag.STATUS_TABLE, options);
  }

  /** Target types the kernel has loaded, with their versions. */
  targets(): TargetVersion[] {
    return this.run({ command: 'LIST_VERSIONS', operation: 'versions' }, decodeTargetVersions);
  }

  /** One target type's version; DmError EINVAL when the kernel has no such target. */
  targetVersion(type: string): TargetVersion {
    if (!type || Buffer.byteLength(type) >= 128) throw invalidArgument(`Invalid target type name "${type}"`);
    return this.run(
      { command: 'GET_TARGET_VERSION', operation: 'target-version', name: type },
      (buffer, header) => decodeTargetVersions(buffer, header)[0]!,
    );
  }

  /** Sends a message to the target at `sector` (or to DM core, for messages starting with `@`). Returns the reply text, if any. */
  message(device: DeviceId, sector: number | bigint, message: string): string | undefined {
    if (typeof sector === 'number' && !Number.isSafeInteger(sector)) throw invalidArgument(`The sector ${sector} is not a whole number`);
    const at = BigInt(sector);
    if (at < 0n || at > 0xffffffffffffffffn) throw invalidArgument(`The sector ${sector} is out of range (0 to 2^64-1)`);
    return this.run(
      { command: 'TARGET_MSG', operation: 'message', device, payload: { kind: 'message', sector: at, message } },
      (buffer, header) => decodeMessageReply(buffer, header, DmFlag.DATA_OUT),
    );
  }

  /** Sets the geometry HDIO_GETGEO reports. */
  setGeometry(device: DeviceId, geometry: Geometry): void {
    const parts = [geometry.cylinders, geometry.heads, geometry.sectors, geometry.start];
    if (!parts.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw invalidArgument('Geometry values must be whole non-negative numbers');
    }
    this.setGeometryText(device, parts.join(' '));
  }

  /** Sends a geometry string as is (`"<cyl> <heads> <sectors> <start>"`), as dmsetup setgeometry does. */
  setGeometryText(device: DeviceId, geometry: string): void {
    this.run(
      { command: 'DEV_SET_GEOMETRY', operation: 'setgeometry', device, payload: { kind: 'string', value: geometry } },
      () => undefined,
    );
  }

  /**
   * Waits until the device's event counter passes `eventNr` and returns its state and status rows.
   * Blocks the thread: prefer waitEventAsync.
   */
  waitEvent(device: DeviceId, eventNr: number, options: TableQueryOptions = {}): TableQueryResult {
    return this.run(this.waitSpec(device, eventNr, options), (buffer, header) => ({
      info: deviceInfoFromHeader(header),
      rows: decodeTargets(buffer, header),
    }));
  }

  waitEventAsync(device: DeviceId, eventNr: number, options: TableQueryOptions = {}): Promise<TableQueryResult> {
    return this.runAsync(this.waitSpec(device, eventNr, options), (buffer, header) => ({
      info: deviceInfoFromHeader(header),
      rows: decodeTargets(buffer, header),
    }));
  }

  /**
   * Arms event polling on this control handle: after it, poll(2) on the control fd reports POLLIN
   * once any device's event counter changes (DM_DEV_ARM_POLL).
   */
  armPoll(): void {
    this.run({ command: 'DEV_ARM_POLL', operation: 'armpoll' }, () => undefined);
  }

  /**
   * Creates a device, loads `rows` and resumes it: a ready device, or none at all (a device made
   * by the first step is removed again if a later step fails).
   */
  createDevice(
    name: string,
    rows: readonly TableRow[],
    options: CreateOptions & LoadOptions & ResumeOptions = {},
  ): DeviceInfo {
    if (options.validate !== false) validateTable(rows);
    // Before anything exists: a missing target type fails here, with no device to take back.
    this.ensureTableTargets(rows);
    const created = this.create(name, options);
    const byDev = { major: created.major, minor: created.minor };
    try {
      this.loadChecked(byDev, rows, options, name);
      return this.resume({ name }, options);
    } catch (error) {
      try {
        this.remove(byDev);
      } catch (revertError) {
        throw withRevertFailure(error, name, revertError);
      }
      throw error;
    }
  }

  /**
   * Makes sure the kernel has each target type, modprobing `dm-<module>` for a missing one (unless
   * the handle was opened with `modprobe: false`). Throws DmError kind `missing-target` otherwise.
   */
  ensureTargets(types: Iterable<string>): TargetVersion[] {
    this.assertOpen();
    return ensureTargets(this.ioctl, types, { modprobe: this.modprobe });
  }

  /** Runs ensureTargets for the table's types not seen yet on this handle, unless switched off. */
  private ensureTableTargets(rows: readonly TableRow[]): void {
    if (!this.checkTargets) return;
    const unseen = rows.map((row) => row.type).filter((type) => !this.knownTargets.has(type));
    if (unseen.length === 0) return;
    for (const target of this.ensureTargets(unseen)) this.knownTargets.add(target.name);
  }

  /** TABLE_LOAD of rows already checked; `label` names a dev-addressed device in errors. */
  private loadChecked(device: DeviceId, rows: readonly TableRow[], options: LoadOptions, label?: string): DeviceInfo {
    return this.run(
      {
        command: 'TABLE_LOAD',
        operation: 'reload',
        device,
        flags: (options.readOnly ? DmFlag.READONLY : 0) | (options.secure ? DmFlag.SECURE_DATA : 0),
        payload: { kind: 'targets', targets: encodeTable(rows) },
        secure: options.secure,
        label: label !== undefined ? { name: label } : undefined,
      },
      (_, header) => deviceInfoFromHeader(header),
    );
  }

  /** Node and read-ahead work after a successful resume. */
  private afterResume(info: DeviceInfo, options: ResumeOptions): DeviceInfo {
    if (this.addNodeOn === 'resume' && info.name) this.nodes?.add(info.name, info);
    if (options.readAhead !== undefined) {
      applyReadAhead(info, options.readAhead, this.nodes && info.name ? this.nodes.pathOf(info.name) : undefined);
    }
    return info;
  }

  /** The kernel names the removed device in its reply, however it was addressed: drop its node. */
  private afterRemove(name: string): void {
    if (name) this.nodes?.remove(name);
  }

  private tableQuery(
    device: DeviceId,
    operation: 'table' | 'status',
    flags: number,
    options: TableQueryOptions,
  ): TableQueryResult {
    return this.run(
      {
        command: 'TABLE_STATUS',
        operation,
        device,
        flags: flags | (options.inactive ? DmFlag.QUERY_INACTIVE_TABLE : 0) | (options.noFlush ? DmFlag.NOFLUSH : 0),
      },
      (buffer, header) => ({ info: deviceInfoFromHeader(header), rows: decodeTargets(buffer, header) }),
    );
  }

  private suspendSpec(device: DeviceId, suspend: boolean, options: SuspendOptions): IoctlSpec {
    return {
      command: 'DEV_SUSPEND',
      operation: suspend ? 'suspend' : 'resume',
      device,
      flags:
        (suspend ? DmFlag.SUSPEND : 0) |
        (options.noFlush ? DmFlag.NOFLUSH : 0) |
        (options.noLockfs ? DmFlag.SKIP_LOCKFS : 0),
    };
  }

  private removeSpec(device: DeviceId, options: RemoveOptions): IoctlSpec {
    return {
      command: 'DEV_REMOVE',
      operation: 'remove',
      device,
      flags: options.deferred ? DmFlag.DEFERRED_REMOVE : 0,
    };
  }

  private waitSpec(device: DeviceId, eventNr: number, options: TableQueryOptions): IoctlSpec {
    if (!Number.isInteger(eventNr) || eventNr < 0 || eventNr > 0xffffffff) {
      throw invalidArgument(`The event number ${eventNr} must be a whole number from 0 to 4294967295`);
    }
    return {
      command: 'DEV_WAIT',
      operation: 'waitevent',
      device,
      eventNr,
      flags: (options.inactive ? DmFlag.QUERY_INACTIVE_TABLE : 0) | (options.noFlush ? DmFlag.NOFLUSH : 0),
    };
  }

  private run<T>(spec: IoctlSpec, decode: (buffer: Buffer, header: ReplyHeader) => T): T {
    this.assertOpen();
    return this.ioctl.run(spec, decode);
  }

  private async runAsync<T>(spec: IoctlSpec, decode: (buffer: Buffer, header: ReplyHeader) => T): Promise<T> {
    this.assertOpen();
    this.inFlight++;
    try {
      return await this.ioctl.runAsync(spec, decode);
    } finally {
      if (--this.inFlight === 0 && this.closed) closeControl(this.fd);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw dmError('invalid-argument', 'EBADF', 'This DeviceMapper handle is closed');
  }
}

/** When and how long to wait before retrying a removal that failed with EBUSY. */
class BusyRetry {
  private readonly attempts: number;
  private readonly backoff: number;
  private readonly onRetry: RetryOptions['onRetry'];
  private delay: number;

  constructor(retry: RemoveOptions['retry']) {
    const policy = retry === true ? DEFAULT_RETRY : retry ? { ...DEFAULT_RETRY, ...retry } : { ...DEFAULT_RETRY, attempts: 1 };
    if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw invalidArgument('retry.attempts must be at least 1');
    this.attempts = policy.attempts;
    this.backoff = policy.backoff;
    this.delay = policy.delayMs;
    this.onRetry = typeof retry === 'object' ? retry.onRetry : undefined;
  }

  /** The delay before the next attempt; rethrows `error` when it is not EBUSY or attempts are used up. */
  delayAfter(error: unknown, attempt: number): number {
    if (!isDmError(error, 'EBUSY') || attempt >= this.attempts) throw error;
    this.onRetry?.(error, attempt);
    const delay = this.delay;
    this.delay *= this.backoff;
    return delay;
  }
}

/** The error of a failed create step, noting that removing the half-made device failed too. */
function withRevertFailure(error: unknown, name: string, revertError: unknown): DmError {
  return DmError.wrap(error, {
    addToSummary: `removing the half-made device ${name} failed too: ${(revertError as Error).message}`,
    cause: revertError,
  });
}

/** Does the library keep /dev/mapper nodes for this setting? */
function libraryKeepsNodes(setting: 'auto' | boolean): boolean {
  if (typeof setting === 'boolean') return setting;
  const disabled = process.env['DM_DISABLE_UDEV'];
  return (disabled !== undefined && disabled !== '' && disabled !== '0') || !udevIsRunning();
}

/** The entries of `value` that are not undefined (so they do not override defaults). */
function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}
