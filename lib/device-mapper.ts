/**
 * `DeviceMapper`: one open control node and every device-mapper operation on it, one short
 * method per verb. The work is elsewhere: requests in operations/specs.ts, multi-step verbs in
 * operations/lifecycle.ts (written once, run blocking or not), the exchange loop in
 * ioctl/dm-ioctl.ts, node keeping in host/node-keeper.ts.
 *
 * Every method addresses a device by `{ name }`, `{ uuid }` or `{ major, minor }` (see `byDev`),
 * checks its arguments before any ioctl (their types: ./arguments/facade.ts), and throws a DmError (`code` = errno name) on failure.
 * Async forms never block the event loop (blocking ioctls run on the handle's own threads).
 */
import type { DeviceId, DevNumber } from './device/device-id.js';
import type { DeviceInfo } from './device/device-info.js';
import { closeControl, openControl } from './host/control.js';
import type { NodeKeeper } from './host/node-keeper.js';
import { DeviceNodes, type NodeOwnership, type NodeSyncReport } from './host/nodes.js';
import { decodeMessageReply, decodeTargetVersions, type TargetVersion } from './ioctl/codec.js';
import { decodeInfo, decodeInfoAndDeps, decodeNothing } from './ioctl/decoders.js';
import { decodeInfoAndTable } from './table/secret-rows.js';
import type { DmIoctl } from './ioctl/dm-ioctl.js';
import { EventPoller, type DeviceEvent } from './events/poller.js';
import { DmFlag } from '../native-defs/index.js';
import { closedHandleError, isDmError } from './errors.js';
import * as verbs from './operations/lifecycle.js';
import * as specs from './operations/specs.js';
import type {
  AsyncOptions,
  CreateOptions,
  DeviceMapperOptions,
  Geometry,
  ListedDevice,
  LoadOptions,
  RemoveOptions,
  ResumeOptions,
  StatusQueryResult,
  SuspendOptions,
  TableOptions,
  TableQueryOptions,
  TableQueryResult,
} from './options.js';
import { decodeInfoAndStatus, parseStatusRow, type ParsedStatusRow } from './table/rows.js';
import type { TargetCheck } from './targets/modules.js';
import { handleParts } from './handle-parts.js';
import type { TableRow } from './table/table.js';
import { deviceHandle, type DeviceHandle } from './handle/device-handle.js';
import { buildTree, type BuildTreeOptions, type DeviceTree } from './tree/tree.js';
import { removeTree, type RemoveTreeOptions } from './tree/remove-tree.js';
import { transaction, type DeviceTransaction } from './tree/transaction.js';
import { checkArgumentsOf, checkOpenOptions } from './arguments/facade.js';

export type { DeviceInfo } from './device/device-info.js';
export type { NameListEntry, TargetReply, TargetVersion } from './ioctl/codec.js';
export type * from './options.js';
export type { RetryOptions } from './retry.js';
export type { DeviceEvent } from './events/poller.js';

/**
 * An open device-mapper control node: `DeviceMapper.open()` (as root), one method per dmsetup verb,
 * `…Async` forms that never block the event loop, `close()` or `using` to let the fd go. Table sizes
 * are in 512-byte sectors; every failure is a DmError. Examples: the README, and lib/index.ts.
 */
export class DeviceMapper {
  /** The ioctl core, for tooling that needs a raw request (it refuses work once the handle is closed). */
  readonly ioctl: DmIoctl;
  private readonly keeper: NodeKeeper;
  private readonly verbs: verbs.VerbContext;
  private readonly devDir: string;
  private readonly nodeOwnership: NodeOwnership;
  private readonly targetCheck: TargetCheck;
  /** Async event waits and streams (made on first use). */
  private poller: EventPoller | undefined;

  private constructor(fd: number, options: DeviceMapperOptions) {
    ({ devDir: this.devDir, nodeOwnership: this.nodeOwnership, keeper: this.keeper, ioctl: this.ioctl, targetCheck: this.targetCheck } = handleParts(fd, options));
    this.verbs = { io: this.ioctl, keeper: this.keeper, checkTargets: (rows) => this.targetCheck.rows(rows) };
  }

  /** Opens the control node. Call close() (or use `using`) when done: it holds one fd. */
  static open(options: DeviceMapperOptions = {}): DeviceMapper {
    checkOpenOptions(options, 'The options of DeviceMapper.open()');
    // A transport of the caller's reaches the kernel (or a script) its own way: no control node is
    // opened, and -1 stands for its fd.
    const fd = options.transport ? -1 : openControl(options);
    try {
      return new DeviceMapper(fd, options);
    } catch (error) {
      if (fd >= 0) closeControl(fd);
      throw error;
    }
  }

  /** The /dev/mapper nodes this handle keeps, or undefined when udev (or nobody) keeps them. */
  get nodes(): DeviceNodes | undefined {
    return this.keeper.nodes;
  }

  /** `<devDir>/mapper/<name>` (the name mangled as the kernel has it), the device's node (whoever keeps it). */
  nodePath(name: string): string {
    return (this.keeper.nodes ?? new DeviceNodes(this.devDir, this.nodeOwnership)).pathOf(this.ioctl.names.toKernel(name, 'name'));
  }

  /**
   * Closes the control node. Further calls throw. Pending event waits and `events()` streams end
   * (waits with DmError ECANCELED), so a closed handle never keeps the process alive; other async
   * calls already under way finish first (the fd is closed after the last of them, so it is never
   * reused under them).
   */
  close(): void {
    this.poller?.close();
    this.ioctl.close();
  }

  /** close(), for `using dm = DeviceMapper.open()`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** The driver's interface version, e.g. [4, 47, 0]. */
  driverVersion(): [number, number, number] {
    return this.ioctl.perform(this.ioctl.driverVersionSteps());
  }

  /** Every device, in the kernel's order (by name). Uuids are included when the driver can (4.45+) or asked. */
  list(options: { uuids?: boolean } = {}): ListedDevice[] {
    return this.ioctl.perform(verbs.list(this.verbs, options));
  }

  /** list() without blocking the event loop; `signal` aborts it (DmError ECANCELED). */
  listAsync(options: { uuids?: boolean } & AsyncOptions = {}): Promise<ListedDevice[]> {
    return this.ioctl.performAsync(verbs.list(this.verbs, options), options.signal);
  }

  /** Creates a device with no table (suspended, until a table is loaded and it is resumed). */
  create(name: string, options: CreateOptions = {}): DeviceInfo {
    return this.ioctl.perform(verbs.create(this.verbs, name, options));
  }

  /** create() without blocking the event loop (udev's node wait included). */
  createAsync(name: string, options: CreateOptions & AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.performAsync(verbs.create(this.verbs, name, options), options.signal);
  }

  /** Loads `rows` as the device's inactive table; resume() makes it live. */
  load(device: DeviceId, rows: readonly TableRow[], options: LoadOptions = {}): DeviceInfo {
    return this.ioctl.perform(verbs.load(this.verbs, device, rows, options));
  }

  /** load() without blocking the event loop (a big table, or modprobing its targets, takes a while). */
  loadAsync(device: DeviceId, rows: readonly TableRow[], options: LoadOptions & AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.performAsync(verbs.load(this.verbs, device, rows, options), options.signal);
  }

  /** Drops the inactive table. */
  clear(device: DeviceId): DeviceInfo {
    return this.ioctl.run({ command: 'TABLE_CLEAR', operation: 'clear', device }, decodeInfo);
  }

  /** Suspends the device: I/O is queued (or, with noFlush, kept) until resume. */
  suspend(device: DeviceId, options: SuspendOptions = {}): DeviceInfo {
    return this.ioctl.run(specs.suspendSpec(device, true, options), decodeInfo);
  }

  /** suspend() without blocking the event loop: a suspend waits for in-flight I/O to finish. */
  suspendAsync(device: DeviceId, options: SuspendOptions & AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.runAsync(specs.suspendSpec(device, true, options), decodeInfo, options.signal);
  }

  /** Resumes the device, making an inactive table live first if there is one. */
  resume(device: DeviceId, options: ResumeOptions = {}): DeviceInfo {
    return this.ioctl.perform(verbs.resume(this.verbs, device, options));
  }

  /** resume() without blocking the event loop (udev's node wait included). */
  resumeAsync(device: DeviceId, options: ResumeOptions & AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.performAsync(verbs.resume(this.verbs, device, options), options.signal);
  }

  /**
   * Removes the device. With `deferred`, a device still open is removed when its last user closes
   * it. With `retry`, EBUSY is retried; this form then blocks the thread between attempts (for
   * the whole retry, up to 5 s by default): prefer removeAsync.
   */
  remove(device: DeviceId, options: RemoveOptions = {}): void {
    this.ioctl.perform(verbs.remove(this.verbs, device, options));
  }

  /** remove() without blocking the event loop; once started it finishes even if the handle is closed. */
  removeAsync(device: DeviceId, options: RemoveOptions & AsyncOptions = {}): Promise<void> {
    return this.ioctl.performAsync(verbs.remove(this.verbs, device, options), options.signal);
  }

  /** Cancels a deferred removal (the `@cancel_deferred_remove` message). */
  cancelDeferredRemove(device: DeviceId): void {
    this.message(device, 0, '@cancel_deferred_remove');
  }

  /** Removes every device that is not in use (with `deferred`, the ones in use once they close). */
  removeAll(options: { deferred?: boolean } = {}): void {
    this.ioctl.perform(verbs.removeAll(this.verbs, options));
  }

  /** /dev/mapper as the kernel has it (dmsetup mknodes: `names`' nodes, or all and stale ones removed; unmangled names too; `nodeErrors` applies). */
  syncNodes(names?: readonly string[]): NodeSyncReport {
    return this.ioctl.perform(verbs.syncNodes(this.verbs, this.keeper.nodes ?? new DeviceNodes(this.devDir, this.nodeOwnership), names));
  }

  /** Renames the device. Returns its state under the new name. */
  rename(device: DeviceId, newName: string): DeviceInfo {
    return this.ioctl.perform(verbs.rename(this.verbs, device, newName));
  }

  /** rename() without blocking the event loop (udev's node wait included). */
  renameAsync(device: DeviceId, newName: string, options: AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.performAsync(verbs.rename(this.verbs, device, newName), options.signal);
  }

  /** Gives a device that has no uuid one (a uuid, once set, cannot change). */
  setUuid(device: DeviceId, uuid: string): DeviceInfo {
    return this.ioctl.perform(verbs.setUuid(this.verbs, device, uuid));
  }

  /** The device's state. Throws DmError ENXIO when it does not exist. */
  info(device: DeviceId, options: { inactive?: boolean } = {}): DeviceInfo {
    return this.ioctl.run(specs.infoSpec(device, options), decodeInfo);
  }

  /** info() without blocking the event loop; DmError ENXIO when the device does not exist. */
  infoAsync(device: DeviceId, options: { inactive?: boolean } & AsyncOptions = {}): Promise<DeviceInfo> {
    return this.ioctl.runAsync(specs.infoSpec(device, options), decodeInfo, options.signal);
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
    return this.ioctl.run(specs.depsSpec(device, options), decodeInfoAndDeps);
  }

  /** deps() without blocking the event loop. */
  depsAsync(device: DeviceId, options: { inactive?: boolean } & AsyncOptions = {}): Promise<{ info: DeviceInfo; deps: DevNumber[] }> {
    return this.ioctl.runAsync(specs.depsSpec(device, options), decodeInfoAndDeps, options.signal);
  }

  /** Each target's status line (what `dmsetup status` prints), as StatusRows: the text is in `status`. */
  status(device: DeviceId, options: TableQueryOptions = {}): StatusQueryResult {
    return this.ioctl.run(specs.tableQuerySpec(device, 'status', options), decodeInfoAndStatus);
  }

  /** status() without blocking the event loop (a thin pool's status can wait on its metadata). */
  statusAsync(device: DeviceId, options: TableQueryOptions & AsyncOptions = {}): Promise<StatusQueryResult> {
    return this.ioctl.runAsync(specs.tableQuerySpec(device, 'status', options), decodeInfoAndStatus, options.signal);
  }

  /** status() typed by each row's target (`parseStatusRow`): e.g. ThinPoolStatus; RawStatus for a type without a parser. */
  parsedStatus(device: DeviceId, options: TableQueryOptions = {}): ParsedStatusRow[] {
    return this.status(device, options).rows.map((row) => parseStatusRow(row));
  }

  /**
   * The table as loaded (`dmsetup table`): a row's keys are in `row.secret` as SecretKeys (dispose
   * them when done), zeros in `params`; `showKeys` puts them in `params` as text (unwipeable).
   */
  table(device: DeviceId, options: TableOptions = {}): TableQueryResult {
    return this.ioctl.run(specs.tableQuerySpec(device, 'table', options), decodeInfoAndTable(options.showKeys === true));
  }

  /** table() without blocking the event loop. */
  tableAsync(device: DeviceId, options: TableOptions & AsyncOptions = {}): Promise<TableQueryResult> {
    return this.ioctl.runAsync(specs.tableQuerySpec(device, 'table', options), decodeInfoAndTable(options.showKeys === true), options.signal);
  }

  /** Target types the kernel has loaded, with their versions. */
  targets(): TargetVersion[] {
    return this.ioctl.run({ command: 'LIST_VERSIONS', operation: 'versions' }, decodeTargetVersions);
  }

  /** One target type's version; DmError EINVAL when the kernel has no such target. */
  targetVersion(type: string): TargetVersion {
    return this.ioctl.run(specs.targetVersionSpec(type), (buffer, header) => decodeTargetVersions(buffer, header)[0]!);
  }

  /** Sends a message to the target at `sector` (or to DM core, for messages starting with `@`). Returns the reply text, if any. */
  message(device: DeviceId, sector: number | bigint, message: string): string | undefined {
    return this.ioctl.run(specs.messageSpec(device, sector, message), (buffer, header) =>
      decodeMessageReply(buffer, header, DmFlag.DATA_OUT),
    );
  }

  /** message() without blocking the event loop (a thin pool's messages wait on metadata I/O). */
  messageAsync(device: DeviceId, sector: number | bigint, message: string, options: AsyncOptions = {}): Promise<string | undefined> {
    return this.ioctl.runAsync(
      specs.messageSpec(device, sector, message),
      (buffer, header) => decodeMessageReply(buffer, header, DmFlag.DATA_OUT),
      options.signal,
    );
  }

  /** Sets the geometry HDIO_GETGEO reports. */
  setGeometry(device: DeviceId, geometry: Geometry): void {
    this.setGeometryText(device, specs.geometryText(geometry));
  }

  /** Sends a geometry string as is (`"<cyl> <heads> <sectors> <start>"`), as dmsetup setgeometry does. */
  setGeometryText(device: DeviceId, geometry: string): void {
    this.ioctl.run(specs.geometrySpec(device, geometry), decodeNothing);
  }

  /**
   * Waits until the device's event counter passes `eventNr` and returns its state and status rows.
   * Blocks the thread: prefer waitEventAsync.
   */
  waitEvent(device: DeviceId, eventNr: number, options: TableQueryOptions = {}): StatusQueryResult {
    return this.ioctl.run(specs.waitSpec(device, eventNr, options), decodeInfoAndStatus);
  }

  /**
   * waitEvent() without a blocked thread: every pending wait of the handle shares one poll(2)
   * thread, so a hundred of them leave other async calls alone. Ends with DmError ECANCELED when
   * `signal` aborts or the handle is closed.
   */
  waitEventAsync(device: DeviceId, eventNr: number, options: TableQueryOptions & AsyncOptions = {}): Promise<StatusQueryResult> {
    if (this.ioctl.isClosed) return Promise.reject(closedHandleError());
    return (this.poller ??= new EventPoller(this.ioctl)).wait(device, eventNr, options, options.signal);
  }

  /**
   * Every change from the first iteration on: `for await (const ev of dm.events({ signal }))`
   * yields added/removed/renamed/event/resumed/suspended (see DeviceEvent: a suspend alone is
   * seen at the next look), from the control fd and a kernel uevent socket (without it, e.g. no
   * netlink, same-table resumes go unseen). Ends when `signal` aborts or the handle is closed.
   */
  events(options: AsyncOptions = {}): AsyncGenerator<DeviceEvent, void, undefined> {
    if (this.ioctl.isClosed) throw closedHandleError();
    return (this.poller ??= new EventPoller(this.ioctl)).events(options.signal);
  }

  /**
   * Arms event polling on this control handle: after it, poll(2) on the control fd reports POLLIN
   * once any device's event counter changes (DM_DEV_ARM_POLL).
   */
  armPoll(): void {
    this.ioctl.run({ command: 'DEV_ARM_POLL', operation: 'armpoll' }, decodeNothing);
  }

  /**
   * Creates a device, loads `rows` and resumes it: a ready device, or none at all (a device made
   * by the first step is removed again if a later step fails).
   */
  createDevice(name: string, rows: readonly TableRow[], options: CreateOptions & LoadOptions & ResumeOptions = {}): DeviceInfo {
    return this.ioctl.perform(verbs.createDevice(this.verbs, name, rows, options));
  }

  /** createDevice() without blocking the event loop. */
  createDeviceAsync(
    name: string,
    rows: readonly TableRow[],
    options: CreateOptions & LoadOptions & ResumeOptions & AsyncOptions = {},
  ): Promise<DeviceInfo> {
    return this.ioctl.performAsync(verbs.createDevice(this.verbs, name, rows, options), options.signal);
  }

  /** A handle on the device `device` names now, addressed by its number after (safe across renames). */
  device(device: DeviceId): DeviceHandle {
    return deviceHandle(this, device);
  }

  /** The dependency tree of every device (deps and holders, DM and other block devices). */
  tree(options: BuildTreeOptions = {}): DeviceTree {
    return buildTree(this, options);
  }

  /** Removes `device` and the devices below it that nothing else uses, top first; returns their names. */
  removeTree(device: DeviceId, options: RemoveTreeOptions = {}): string[] {
    return removeTree(this, device, options);
  }

  /** Devices created, reloaded or suspended together in dependency order, rolled back on failure. */
  transaction(): DeviceTransaction {
    return transaction(this);
  }

  /**
   * Makes sure the kernel has each target type, modprobing `dm-<module>` for a missing one (unless
   * the handle was opened with `modprobe: false`). Throws DmError kind `missing-target` otherwise.
   */
  ensureTargets(types: Iterable<string>): TargetVersion[] {
    return this.targetCheck.types(types);
  }
}

checkArgumentsOf(DeviceMapper.prototype); // each method checks its arguments' types first (arguments/facade.ts)
