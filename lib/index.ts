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
  CreateOptions,
  DeviceMapperOptions,
  Geometry,
  ListedDevice,
  LoadOptions,
  RemoveOptions,
  ResumeOptions,
  RetryOptions,
  SuspendOptions,
  TableQueryOptions,
  TableQueryResult,
} from './device-mapper.js';
export type { DeviceInfo } from './device-info.js';
export type { TargetReply, TargetVersion } from './codec.js';
export { DmError, isDmError } from './errors.js';
export type { DmErrorKind, DmErrorDetails, SentAddress } from './errors.js';
export type { DeviceId } from './names.js';
export { validateName, validateUuid, describeDevice } from './names.js';
export type { DevNumber } from './devt.js';
export { formatDev } from './devt.js';
export type { TableRow } from './table.js';
export { parseTable, formatTable, formatRow, validateTable, TableSyntaxError } from './table.js';
export { controlPath, resolveDevDir } from './control.js';
export { errnoName, strerror } from './errno.js';
export { getReadAhead, setReadAhead } from './readahead.js';
export { DmIoctl } from './ioctl.js';
export type { IoctlSpec, DmIoctlOptions } from './ioctl.js';
export type { ReplyHeader, RequestPayload, EncodedTarget } from './codec.js';
export { DmFlag, DmCommand } from '../native-defs/index.js';
export type { DmCommandName } from '../native-defs/index.js';
export type { ReadAheadSetting } from './readahead.js';
export { DeviceNodes, DEFAULT_NODE_OWNERSHIP, udevIsRunning } from './nodes.js';
export type { NodeOwnership, NodeSyncReport } from './nodes.js';
export { moduleForTarget } from './modules.js';
export { openControl, closeControl, readMiscMinor, findModprobe } from './control.js';
export type { ControlOptions } from './control.js';
export { blockDeviceName } from './sysfs.js';
export { nameFromPath } from './device-path.js';
