/**
 * A handle on one device: resolved once, then addressed by its device number, so it follows the
 * device across renames (devmap's dev_t-keyed `Device`; libdm has none). Before each verb that
 * changes the device and after each reply, the handle checks that the number still belongs to
 * its device (same uuid; for a device without one, the same name or the same sysfs node), so a
 * handle whose device was removed, or whose number was reused by another device, throws a
 * DmError (ENXIO / ESTALE) and never acts on the other device. The check and the verb are two
 * ioctls: a device replaced between them is not caught (the window is microseconds).
 *
 * `using dev = createDeviceHandle(dm, …)` removes the device at the end of the scope (deferred
 * when it is still open); `await using` does it without blocking.
 */
import { statSync } from 'node:fs';
import type { MapperVerbs } from './mapper-verbs.js';
import { byDev, type DeviceId, type DevNumber } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import { formatDev } from '../device/devt.js';
import { dmError, DmError, isDmError } from '../errors.js';
import type {
  CreateOptions,
  LoadOptions,
  RemoveOptions,
  ResumeOptions,
  StatusQueryResult,
  SuspendOptions,
  TableQueryOptions,
  TableOptions,
  TableQueryResult,
} from '../options.js';
import { parseStatusRow, type ParsedStatusRow } from '../table/rows.js';
import type { TableRow } from '../table/table.js';
import * as check from '../arguments/checks.js';

/**
 * A handle on one device, addressed by its device number: it follows the device across renames, and
 * a handle whose device was removed or replaced throws DmError ENXIO or ESTALE instead of acting on
 * another device. Get one with `dm.device(id)` or `createDeviceHandle(dm, …)`; with `using` or
 * `await using` it removes its device at the end of the scope.
 *
 * @example
 * ```ts
 * const rows = table([{ length: mib(64), target: linear({ device: '/dev/loop0', offset: 0 }) }]);
 * await using lv = await createDeviceHandleAsync(dm, 'vg-lv', rows);
 * lv.rename('vg-data'); // the same device, by number
 * console.log(lv.info().name); // vg-data
 * // at the end of the scope the device is removed, even when something above threw
 * ```
 */
export class DeviceHandle implements Disposable, AsyncDisposable {
  /** The device number every request is addressed by. */
  readonly dev: Readonly<DevNumber>;
  private currentName: string;
  private currentUuid: string;
  /** The inode of /sys/dev/block/M:m (a new device gets a new one): identity for a device without uuid. */
  private sysfsIdentity: bigint | undefined;
  /** Set once the handle removed its device or found it gone. */
  private gone = false;

  private constructor(
    private readonly dm: MapperVerbs,
    info: DeviceInfo,
  ) {
    this.dev = Object.freeze({ major: info.major, minor: info.minor });
    this.currentName = info.name;
    this.currentUuid = info.uuid;
    this.sysfsIdentity = sysfsInode(this.dev);
  }

  /** A handle on the device `id` addresses now (DmError ENXIO when there is none). */
  static resolve(dm: MapperVerbs, id: DeviceId): DeviceHandle {
    return new DeviceHandle(dm, dm.info(id));
  }

  /** A handle on a device whose state was just read (e.g. returned by createDevice). */
  static fromInfo(dm: MapperVerbs, info: DeviceInfo): DeviceHandle {
    return new DeviceHandle(dm, info);
  }

  /** The device's name, as of its last reply (renames through the handle or seen in a reply included). */
  get name(): string {
    return this.currentName;
  }

  /** The device's uuid ('' when it has none). */
  get uuid(): string {
    return this.currentUuid;
  }

  /** `<devDir>/mapper/<name>`, the device's node path under its current name. */
  get path(): string {
    return this.dm.nodePath(this.currentName);
  }

  /** True once the handle removed its device (or found it removed). */
  get removed(): boolean {
    return this.gone;
  }

  /** The device's state. */
  info(options: { inactive?: boolean } = {}): DeviceInfo {
    return this.confirm(this.guard(() => this.dm.info(this.id, options)));
  }

  /** The table as loaded (what `dmsetup table` prints). */
  table(options: TableOptions = {}): TableQueryResult {
    return this.confirmed(this.guard(() => this.dm.table(this.id, options)));
  }

  /** Each target's status line, as StatusRows (the text in `status`; never loadable as params). */
  status(options: TableQueryOptions = {}): StatusQueryResult {
    return this.confirmed(this.guard(() => this.dm.status(this.id, options)));
  }

  /**
   * Each target's status, typed by its target type: `parsedStatus()[0].status` is a ThinPoolStatus
   * for a thin pool, a RawStatus (`{ type, raw }`) for a type without a status parser. For one
   * type checked, `parseStatusRow(handle.status().rows[0], thinPool)` (refused for another type).
   */
  parsedStatus(options: TableQueryOptions = {}): ParsedStatusRow[] {
    return this.status(options).rows.map((row) => parseStatusRow(row));
  }

  /** The devices the table uses. */
  deps(options: { inactive?: boolean } = {}): { info: DeviceInfo; deps: DevNumber[] } {
    return this.confirmed(this.guard(() => this.dm.deps(this.id, options)));
  }

  /** Loads `rows` as the inactive table; resume() makes it live. */
  load(rows: readonly TableRow[], options: LoadOptions = {}): DeviceInfo {
    this.check();
    return this.confirm(this.guard(() => this.dm.load(this.id, rows, options)));
  }

  /** Drops the inactive table. */
  clear(): DeviceInfo {
    this.check();
    return this.confirm(this.guard(() => this.dm.clear(this.id)));
  }

  /** Suspends the device: I/O is held until resume (with `noFlush`, queued I/O is kept, not flushed). */
  suspend(options: SuspendOptions = {}): DeviceInfo {
    this.check();
    return this.confirm(this.guard(() => this.dm.suspend(this.id, options)));
  }

  /** suspend() without blocking the event loop: a suspend waits for in-flight I/O. */
  async suspendAsync(options: SuspendOptions = {}): Promise<DeviceInfo> {
    this.check();
    return this.confirm(await this.guardAsync(() => this.dm.suspendAsync(this.id, options)));
  }

  /** Resumes the device, making an inactive table live first if there is one. */
  resume(options: ResumeOptions = {}): DeviceInfo {
    this.check();
    return this.confirm(this.guard(() => this.dm.resume(this.id, options)));
  }

  /** resume() without blocking the event loop. */
  async resumeAsync(options: ResumeOptions = {}): Promise<DeviceInfo> {
    this.check();
    return this.confirm(await this.guardAsync(() => this.dm.resumeAsync(this.id, options)));
  }

  /** Renames the device; the handle keeps addressing it (by number) under the new name. */
  rename(newName: string): DeviceInfo {
    this.check();
    // The kernel renames by name only; the check just confirmed it (this saves the facade's lookup).
    const info = this.guard(() => this.dm.rename({ name: this.currentName }, newName));
    this.currentName = info.name;
    return info;
  }

  /** Sends a message to the target at `sector` (or to DM core, for `@` messages); returns the reply text, if any. */
  message(sector: number | bigint, message: string): string | undefined {
    this.check();
    return this.guard(() => this.dm.message(this.id, sector, message));
  }

  /** Waits until the event counter passes `eventNr`. Blocks the thread: prefer waitEventAsync. */
  waitEvent(eventNr: number, options: TableQueryOptions = {}): StatusQueryResult {
    return this.confirmed(this.guard(() => this.dm.waitEvent(this.id, eventNr, options)));
  }

  /** waitEvent() without a blocked thread (on the handle's shared poll thread). */
  async waitEventAsync(eventNr: number, options: TableQueryOptions = {}): Promise<StatusQueryResult> {
    return this.confirmed(await this.guardAsync(() => this.dm.waitEventAsync(this.id, eventNr, options)));
  }

  /** Removes the device; the handle is spent afterwards. */
  remove(options: RemoveOptions = {}): void {
    this.check();
    this.guard(() => this.dm.remove(this.id, options));
    this.gone = true;
  }

  /** remove() without blocking the event loop; the handle is spent afterwards. */
  async removeAsync(options: RemoveOptions = {}): Promise<void> {
    this.check();
    await this.guardAsync(() => this.dm.removeAsync(this.id, options));
    this.gone = true;
  }

  /** Removes the device at the end of a `using` scope: deferred when it is still open; nothing when it is gone already. */
  [Symbol.dispose](): void {
    if (!this.stillHere()) return;
    try {
      this.guard(() => this.dm.remove(this.id));
    } catch (error) {
      if (!isDmError(error, 'EBUSY')) throw error;
      this.guard(() => this.dm.remove(this.id, { deferred: true }));
    }
    this.gone = true;
  }

  /** `[Symbol.dispose]` without blocking the event loop. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (!this.stillHere()) return;
    try {
      await this.guardAsync(() => this.dm.removeAsync(this.id));
    } catch (error) {
      if (!isDmError(error, 'EBUSY')) throw error;
      await this.guardAsync(() => this.dm.removeAsync(this.id, { deferred: true }));
    }
    this.gone = true;
  }

  toString(): string {
    return `${this.currentName} (${formatDev(this.dev)})`;
  }

  private get id(): DeviceId {
    return byDev(this.dev);
  }

  /** False when the device is gone (removed through the handle or by someone else). */
  private stillHere(): boolean {
    if (this.gone) return false;
    try {
      this.check();
      return true;
    } catch (error) {
      if (error instanceof DmError && error.code === 'ENXIO' && this.gone) return false;
      throw error;
    }
  }

  /** Before a verb that changes the device: the number must still be this device's. */
  private check(): void {
    this.confirm(this.guard(() => this.dm.info(this.id)));
  }

  /** Runs a verb; ENXIO means the device is gone, said so. */
  private guard<T>(call: () => T): T {
    this.refuseIfGone();
    try {
      return call();
    } catch (error) {
      throw this.goneError(error);
    }
  }

  private async guardAsync<T>(call: () => Promise<T>): Promise<T> {
    this.refuseIfGone();
    try {
      return await call();
    } catch (error) {
      throw this.goneError(error);
    }
  }

  private refuseIfGone(): void {
    if (this.gone) {
      throw dmError('invalid-argument', 'ENXIO', `The device ${this} was removed; this handle no longer addresses anything`, {
        device: this.id,
      });
    }
  }

  private goneError(error: unknown): unknown {
    if (!isDmError(error, 'ENXIO') || error.kind !== 'ioctl') return error;
    // ENXIO from a verb addressed by number: no device has the number any more.
    if (this.dm.tryInfo(this.id) !== undefined) return error;
    this.gone = true;
    return dmError('ioctl', 'ENXIO', `device-mapper: the device ${this} was removed`, {
      device: this.id,
      command: error.command,
      operation: error.operation,
      hint: 'the handle addressed it by number; make a new handle if a device of that name exists again',
      cause: error,
    });
  }

  private confirmed<T extends { info: DeviceInfo }>(result: T): T {
    this.confirm(result.info);
    return result;
  }

  /**
   * Checks a reply's device against the handle's: the same uuid, or (without one) the same name
   * or sysfs node. Follows renames; throws ESTALE when another device has the number now.
   */
  private confirm(info: DeviceInfo): DeviceInfo {
    const node = this.currentUuid ? undefined : sysfsInode(this.dev);
    const sameNode = node === undefined || this.sysfsIdentity === undefined || node === this.sysfsIdentity;
    const same = this.currentUuid
      ? info.uuid === this.currentUuid
      : sameNode && (info.name === this.currentName || (node !== undefined && this.sysfsIdentity !== undefined));
    if (!same) {
      throw dmError(
        'invalid-argument',
        'ESTALE',
        `The device ${this} this handle addressed is gone: ${formatDev(this.dev)} is now ${info.name}${info.uuid ? ` (uuid ${info.uuid})` : ''}`,
        { device: this.id, hint: 'the device was removed and its number reused; make a new handle for the new device' },
      );
    }
    this.currentName = info.name;
    this.currentUuid ||= info.uuid;
    this.sysfsIdentity ??= node;
    return info;
  }
}

/** The inode of /sys/dev/block/M:m's directory, or undefined before the device's first table (no disk yet). */
function sysfsInode(dev: DevNumber): bigint | undefined {
  try {
    return statSync(`/sys/dev/block/${formatDev(dev)}`, { bigint: true }).ino;
  } catch {
    return undefined;
  }
}

/** A handle on the device `id` addresses now. */
export function deviceHandle(dm: MapperVerbs, id: DeviceId): DeviceHandle {
  check.mapper(dm, 'Argument 1 of deviceHandle()');
  check.device(id, 'Argument 2 of deviceHandle()');
  return DeviceHandle.resolve(dm, id);
}

/** createDevice (create, load, resume: a ready device or none), returning a handle on it. */
export function createDeviceHandle(
  dm: MapperVerbs,
  name: string,
  rows: readonly TableRow[],
  options: CreateOptions & LoadOptions & ResumeOptions = {},
): DeviceHandle {
  check.mapper(dm, 'Argument 1 of createDeviceHandle()');
  return DeviceHandle.fromInfo(dm, dm.createDevice(name, rows, options));
}

/** createDeviceHandle() without blocking the event loop. */
export async function createDeviceHandleAsync(
  dm: MapperVerbs,
  name: string,
  rows: readonly TableRow[],
  options: CreateOptions & LoadOptions & ResumeOptions = {},
): Promise<DeviceHandle> {
  check.mapper(dm, 'Argument 1 of createDeviceHandleAsync()');
  return DeviceHandle.fromInfo(dm, await dm.createDeviceAsync(name, rows, options));
}
