/**
 * Typed targets, the public surface: builders (`linear({ device, offset })`, …), each one also
 * its target type (`linear.parse(text)`, `thinPool.parseStatus(text)`), the registry, table and
 * status rows, units, and the field helpers a target file is written with.
 */
export { defineTarget, row, table, rawTarget, Target, HIDDEN } from './target.js';
export type { TargetType, TargetKind, TargetLike, Segment, ParamsOf, StatusOf } from './target.js';
export { targetType, allTargetTypes, hideSecrets } from './registry.js';
export { moduleForTarget } from './modules.js';
export {
  bytesToSectors,
  sectorsToBytes,
  kib,
  mib,
  gib,
  tib,
  sectors,
  isSectors,
  tableSize,
  tableSizeBig,
  SECTOR_SIZE,
  SECTOR_MAX,
} from './units.js';
export type { Sectors, Extent } from './units.js';
export { ArgReader, parseDevice, formatDevice, formatSectors, formatUint, formatWord, formatArgs, fieldError } from './fields.js';
export type { DeviceRef } from './fields.js';
export { statusRow, parseTableRow, parseStatusRow } from '../table/rows.js';
export type { StatusRow, RawStatus, ParsedStatusRow, ParsedTableRow } from '../table/rows.js';
export { linear } from './linear.js';
export type { LinearParams } from './linear.js';
export { SecretKey, isKeyringKey, zeroWord } from './secret-key.js';
export type { KeyringKey } from './secret-key.js';
