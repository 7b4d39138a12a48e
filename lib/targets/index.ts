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
export type { Usage } from './fields.js';
export { striped } from './striped.js';
export type { StripedParams, StripedStatus, Stripe } from './striped.js';
export { zero } from './zero.js';
export type { NoParams } from './zero.js';
export { error } from './error.js';
export { crypt } from './crypt.js';
export type { CryptParams, CryptOptions } from './crypt.js';
export { snapshotOrigin } from './snapshot-origin.js';
export type { SnapshotOriginParams } from './snapshot-origin.js';
export { snapshot, snapshotMerge } from './snapshot.js';
export type { SnapshotParams, SnapshotStatus } from './snapshot.js';
export { thinPool } from './thin-pool.js';
export type { ThinPoolParams, ThinPoolFeatures, ThinPoolStatus } from './thin-pool.js';
export { thin } from './thin.js';
export type { ThinParams, ThinStatus } from './thin.js';
export { cache } from './cache.js';
export type { CacheParams, CacheStatus, KeyValues } from './cache.js';
export { writecache } from './writecache.js';
export type { WritecacheParams, WritecacheOptions, WritecacheStatus } from './writecache.js';
