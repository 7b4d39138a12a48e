/**
 * The verbs that take more than one step, each written once as a generator of steps and run by
 * the facade blocking (`dm.remove`) or not (`dm.removeAsync`): create (with its node), load,
 * resume (node and read-ahead after it), remove (EBUSY retry), rename, remove_all, list, and the
 * create + load + resume transaction that takes a half-made device back.
 */
import { DmFlag } from '../../native-defs/index.js';
import { byDev } from '../device/address.js';
import type { DeviceId } from '../device/device-id.js';
import type { DeviceInfo } from '../device/device-info.js';
import { validateName, validateUuid } from '../device/names.js';
import { DmError, isDmError } from '../errors.js';
import { missingDeviceHint } from '../host/missing-device.js';
import type { NodeKeeper } from '../host/node-keeper.js';
import type { DeviceNodes, NodeSyncReport } from '../host/nodes.js';
import { applyReadAhead } from '../host/readahead.js';
import { decodeNameList, type NameListEntry, type ReplyHeader } from '../ioctl/codec.js';
import { decodeNameListChecked } from '../ioctl/name-list.js';
import { decodeInfo, decodeInfoAndKernelName, decodeName, decodeNothing, deviceInfoFromHeader } from '../ioctl/decoders.js';
import type { DmIoctl, IoctlSpec } from '../ioctl/dm-ioctl.js';
import { pause, type Steps } from '../ioctl/steps.js';
import type { CreateOptions, LoadOptions, RemoveOptions, ResumeOptions } from '../options.js';
import { BusyRetry } from '../retry.js';
import { refuseStatusRows, validateTable, type TableRow } from '../table/table.js';
import { createSpec, infoSpec, loadSpec, removeSpec, renameSpec, suspendSpec } from './specs.js';

/** What the verbs work with: the ioctl core, the node strategy, the target-module check. */
export interface VerbContext {
  readonly io: DmIoctl;
  readonly keeper: NodeKeeper;
  /** Makes sure the kernel has the rows' target types (modprobing missing ones), once per handle. */
  checkTargets(rows: readonly TableRow[]): void;
}

/** DEV_CREATE, then the node if it is made on create; a node that cannot be made takes the device back. */
export function* create(ctx: VerbContext, name: string, options: CreateOptions): Steps<DeviceInfo> {
  if (options.validate !== false) {
    validateName(name);
    if (options.uuid !== undefined) validateUuid(options.uuid);
  }
  // Nodes are named as the kernel names the device (its mangled name).
  const { info, kernelName } = yield* ctx.io.exchange(createSpec(name, options), decodeInfoAndKernelName);
  try {
    ctx.keeper.afterCreate({ ...info, name: kernelName });
  } catch (error) {
    // No half-made device: the caller gets the node error and no device.
    yield* ctx.io.exchange(removeSpec(byDev(info), {}), decodeName);
    throw error;
  }
  return info;
}

/** Checks the rows (unless told not to), loads the target modules, sends TABLE_LOAD. */
export function* load(ctx: VerbContext, device: DeviceId, rows: readonly TableRow[], options: LoadOptions): Steps<DeviceInfo> {
  if (options.validate !== false) validateTable(rows);
  else refuseStatusRows(rows);
  ctx.checkTargets(rows);
  return yield* loadNamingMissing(ctx, loadSpec(device, rows, options), rows);
}

/** TABLE_LOAD; an ENXIO/ENODEV says which device named in the table is missing, when one is. */
function* loadNamingMissing(ctx: VerbContext, spec: IoctlSpec, rows: readonly TableRow[]): Steps<DeviceInfo> {
  try {
    return yield* ctx.io.exchange(spec, decodeInfo);
  } catch (error) {
    const hint = isDmError(error, 'ENXIO', 'ENODEV') ? missingDeviceHint(rows) : undefined;
    if (hint && error instanceof DmError) throw new DmError(error.summary, { ...error.details(), hint });
    throw error;
  }
}

/** Resumes the device, then makes its node and sets its read-ahead (as libdevmapper does, after the ioctl). */
export function* resume(ctx: VerbContext, device: DeviceId, options: ResumeOptions): Steps<DeviceInfo> {
  const { info, kernelName } = yield* ctx.io.exchange(suspendSpec(device, false, options), decodeInfoAndKernelName);
  ctx.keeper.afterResume({ ...info, name: kernelName });
  if (options.readAhead !== undefined) {
    applyReadAhead(info, options.readAhead, kernelName ? ctx.keeper.nodePath(kernelName) : undefined);
  }
  return info;
}

/** DEV_REMOVE, retried on EBUSY by the options' policy; the kernel names the removed device, whose node goes. */
export function* remove(ctx: VerbContext, device: DeviceId, options: RemoveOptions): Steps<void> {
  const spec = removeSpec(device, options);
  const retry = new BusyRetry(options.retry);
  for (let attempt = 1; ; attempt++) {
    let name: string;
    try {
      name = yield* ctx.io.exchange(spec, decodeName);
    } catch (error) {
      yield* pause(retry.delayAfter(error, attempt));
      continue;
    }
    // Addressed by number (a create's revert), only a node of that number is removed.
    ctx.keeper.afterRemove(name, device.major !== undefined ? device : undefined);
    return;
  }
}

/** The device's name: the kernel renames (and sets a uuid) by name only. */
function* nameOf(ctx: VerbContext, device: DeviceId): Steps<string> {
  return device.name ?? (yield* ctx.io.exchange(infoSpec(device, {}), decodeInfo)).name;
}

/** Renames the device and its node; returns its state under the new name. */
export function* rename(ctx: VerbContext, device: DeviceId, newName: string): Steps<DeviceInfo> {
  validateName(newName, 'new device name');
  const oldName = yield* nameOf(ctx, device);
  const kernelNewName = ctx.io.names.toKernel(newName, 'new name');
  // The kernel's reply still carries the name the request was sent with (the old one, mangled).
  const { info, oldKernelName } = yield* ctx.io.exchange(renameSpec(oldName, kernelNewName, 'name'), (_, header) => ({
    info: { ...deviceInfoFromHeader(header), name: ctx.io.names.fromKernel(kernelNewName, 'name') },
    oldKernelName: header.kernelName ?? header.name,
  }));
  ctx.keeper.afterRename(oldKernelName, kernelNewName, info);
  return info;
}

/** Gives a device that has no uuid one. */
export function* setUuid(ctx: VerbContext, device: DeviceId, uuid: string): Steps<DeviceInfo> {
  validateUuid(uuid, 'new uuid');
  const name = yield* nameOf(ctx, device);
  const kernelUuid = ctx.io.names.toKernel(uuid, 'new UUID');
  // The reply carries the uuid the request was sent with (none).
  return yield* ctx.io.exchange(renameSpec(name, kernelUuid, 'uuid'), (_, header) => ({
    ...deviceInfoFromHeader(header),
    uuid: ctx.io.names.fromKernel(kernelUuid, 'UUID'),
  }));
}

/**
 * Every device; uuids when the driver can (4.45+) unless told. Names and uuids as the caller sees
 * them (unmangled), or with `kernelNames` as the kernel has them (for /dev/mapper).
 */
/** dmsetup mknodes: `nodes` made to match the kernel's list (nodes under unmangled names too; the keeper's nodeWarning applies). */
export function* syncNodes(ctx: VerbContext, nodes: DeviceNodes, names: readonly string[] | undefined): Steps<NodeSyncReport> {
  const devices = yield* list(ctx, { uuids: false, kernelNames: true });
  const codec = ctx.io.names;
  const { aliases, refused } = codec.unmangledAliases(devices);
  const wanted = names?.flatMap((name) => [codec.toKernel(name, 'name'), name]);
  const report = nodes.sync([...devices, ...aliases], wanted, { kept: (entry) => codec.keptEntry(entry), warn: ctx.keeper.nodeWarning });
  if (refused) throw refused;
  return report;
}

export function* list(ctx: VerbContext, options: { uuids?: boolean | undefined; kernelNames?: boolean }): Steps<NameListEntry[]> {
  const uuids = options.uuids ?? (yield* ctx.io.driverVersionSteps())[1] >= 45;
  // A list of plain names (the usual one) is the same mangled or not: the codec never sees it.
  const decode = options.kernelNames
    ? decodeNameList
    : (buffer: Buffer, header: ReplyHeader) => {
        const { entries, plain } = decodeNameListChecked(buffer, header);
        return plain ? entries : ctx.io.names.entries(entries);
      };
  return yield* ctx.io.exchange({ command: 'LIST_DEVICES', operation: 'names', flags: uuids ? DmFlag.UUID : 0 }, decode);
}

/** REMOVE_ALL, then the node directory made to match what is left. */
export function* removeAll(ctx: VerbContext, options: { deferred?: boolean | undefined }): Steps<void> {
  yield* ctx.io.exchange(
    { command: 'REMOVE_ALL', operation: 'remove_all', flags: options.deferred ? DmFlag.DEFERRED_REMOVE : 0 },
    decodeNothing,
  );
  yield* ctx.keeper.afterRemoveAll(() => list(ctx, { uuids: false, kernelNames: true }));
}

/**
 * Create + load + resume: a ready device, or none at all. Target types are checked before
 * anything exists; a device made by the first step is removed again if a later step fails.
 */
export function* createDevice(
  ctx: VerbContext,
  name: string,
  rows: readonly TableRow[],
  options: CreateOptions & LoadOptions & ResumeOptions,
): Steps<DeviceInfo> {
  if (options.validate !== false) validateTable(rows);
  else refuseStatusRows(rows);
  ctx.checkTargets(rows);
  const created = yield* create(ctx, name, options);
  try {
    yield* loadNamingMissing(ctx, loadSpec(byDev(created), rows, options, name), rows);
    return yield* resume(ctx, { name }, options);
  } catch (error) {
    try {
      yield* remove(ctx, byDev(created), {});
    } catch (revertError) {
      throw DmError.wrap(error, {
        addToSummary: `removing the half-made device ${name} failed too: ${(revertError as Error).message}`,
        cause: revertError,
      });
    }
    throw error;
  }
}
