/**
 * tsdmsetup: a device-mapper control library for Node.js.
 *
 * ```ts
 * import { DeviceMapper } from 'tsdmsetup';
 * using dm = DeviceMapper.open();
 * dm.createDevice('zeros', [{ start: 0, length: 2048, type: 'zero', params: '' }]);
 * console.log(dm.table({ name: 'zeros' }).rows);
 * dm.remove({ name: 'zeros' });
 * ```
 */
export { DeviceMapper } from './device-mapper.js';
export type {
  AsyncOptions,
  DeviceEvent,
  UdevCallOptions,
  CreateOptions,
  DeviceMapperOptions,
  Geometry,
  ListedDevice,
  LoadOptions,
  RemoveOptions,
  ResumeOptions,
  RetryOptions,
  StatusQueryResult,
  SuspendOptions,
  TableOptions,
  TableQueryOptions,
  TableQueryResult,
} from './device-mapper.js';
export type { DeviceInfo } from './device/device-info.js';
export type { TargetReply, TargetVersion } from './ioctl/codec.js';
export { DmError, dmError, isDmError } from './errors.js';
export type { DmErrorKind, DmErrorDetails, SentAddress } from './errors.js';
export type { DeviceId, ByName, ByUuid, ByDev } from './device/device-id.js';
export { byName, byUuid, byDev } from './device/device-id.js';
export { validateName, validateUuid, describeDevice, MAX_NAME_BYTES, MAX_UUID_BYTES } from './device/names.js';
export type { DevNumber } from './device/devt.js';
export { formatDev } from './device/devt.js';
export type { TableRow } from './table/table.js';
export { parseTable, formatTable, formatRow, validateTable, TableSyntaxError } from './table/table.js';
export { controlPath, resolveDevDir } from './host/control.js';
export { errnoName, strerror } from './sys/errno.js';
export { getReadAhead, setReadAhead } from './host/readahead.js';
export { DmIoctl } from './ioctl/dm-ioctl.js';
export type { IoctlSpec, DmIoctlOptions, Decoder, IoctlTransaction, TransactionSource } from './ioctl/dm-ioctl.js';
export type { Transport } from './ioctl/transport.js';
export { libcTransport } from './ioctl/transport.js';
export type { Step, Steps } from './ioctl/steps.js';
export { COMMANDS } from './ioctl/commands.js';
export type { CommandRecord } from './ioctl/commands.js';
export type { ReplyHeader, RequestPayload, EncodedTarget } from './ioctl/codec.js';
export { DmFlag, DmCommand } from '../native-defs/index.js';
export type { DmCommandName } from '../native-defs/index.js';
export type { ReadAheadSetting } from './host/readahead.js';
export { DeviceNodes, DEFAULT_NODE_OWNERSHIP, udevIsRunning } from './host/nodes.js';
export type { NodeOwnership, NodeSyncReport } from './host/nodes.js';
export { moduleForTarget } from './targets/modules.js';
export { openControl, closeControl, readMiscMinor } from './host/control.js';
export { findModprobe } from './host/modprobe.js';
export type { ControlOptions } from './host/control.js';
export { blockDeviceName } from './host/sysfs.js';
export { nameFromPath } from './device/device-path.js';
export {
  isWhitelistedByte,
  mangleString,
  unmangleString,
  mangledMoreThanOnce,
  parseNameMangling,
  nameManglingFromEnv,
  NAME_MANGLING_ENV,
} from './names/mangle.js';
export type { NameMangling, MangledWhat, MangleOutcome } from './names/mangle.js';
export { NameCodec, NameManglingError } from './names/name-codec.js';
export * from './targets/index.js';
export { LoopDevice } from './host/loop.js';
export type { LoopAttachOptions, LoopAttachMethod, LoopDetachResult, LoopInfo } from './host/loop.js';
export { DeviceTree, buildTree, treeFrom } from './tree/tree.js';
export type { TreeNode, DepsSource, TreeOptions, BuildTreeOptions } from './tree/tree.js';
export { removalOrder, holdersAbove, ordered } from './tree/order.js';
export { removeTree, removeTreeAsync, removeTreeSteps } from './tree/remove-tree.js';
export type { RemoveTreeOptions } from './tree/remove-tree.js';
export { DeviceTransaction, transaction } from './tree/transaction.js';
export type { RowsSource, MemberOptions, TransactionResult } from './tree/transaction.js';
export { planTransaction, defaultPriority } from './tree/transaction-plan.js';
export type { PlanMember, TransactionPlan } from './tree/transaction-plan.js';
export { DeviceHandle, deviceHandle, createDeviceHandle, createDeviceHandleAsync } from './handle/device-handle.js';
export { kernelLogMark, kernelLogSince, KernelLogReader, parseKmsgRecord, isDeviceMapperLine } from './host/kmsg.js';
export type { KernelLogMark, KernelLogRecord } from './host/kmsg.js';
export { missingDeviceHint, hostProbe } from './host/missing-device.js';
export type { DeviceProbe, PathState } from './host/missing-device.js';
export { tableDevices, scanDevices } from './table/table-devices.js';
export type { TableDeviceRef, DevicesOf } from './table/table-devices.js';
export type { MapperVerbs } from './handle/mapper-verbs.js';
export { liveSnapshot } from './tree/snapshot.js';
export type { LiveSnapshotOptions } from './tree/snapshot.js';
export * from './udev/index.js';
