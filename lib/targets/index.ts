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
  exactCount,
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
export { SecretParams, type ParamsPart, type SecretSpan } from './secret-params.js';
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
export { mirror } from './mirror.js';
export type { MirrorParams, MirrorLog, MirrorLeg, MirrorHealth, MirrorStatus } from './mirror.js';
export { raid } from './raid.js';
export type { RaidParams, RaidOptions, RaidDevice, RaidHealth, RaidStatus } from './raid.js';
export { multipath } from './multipath.js';
export type { MultipathParams, MultipathFeatures, MultipathGroup, MultipathPath, MultipathStatus, MultipathPathStatus } from './multipath.js';
export { delay } from './delay.js';
export type { DelayParams, DelayClass, DelayStatus } from './delay.js';
export { flakey } from './flakey.js';
export type { FlakeyParams, FlakeyFeatures, CorruptBioByte } from './flakey.js';
export { dust } from './dust.js';
export type { DustParams, DustStatus } from './dust.js';
export { integrity } from './integrity.js';
export type { IntegrityParams, IntegrityOptions, IntegrityKeys, IntegrityMode, IntegrityStatus } from './integrity.js';
export { verity } from './verity.js';
export type { VerityParams, VerityOptions, VerityFec, VerityStatus } from './verity.js';
export { era } from './era.js';
export type { EraParams, EraStatus } from './era.js';
export { unstriped } from './unstriped.js';
export type { UnstripedParams } from './unstriped.js';
export { switchTarget } from './switch.js';
export type { SwitchParams, SwitchPath } from './switch.js';
export { logWrites } from './log-writes.js';
export type { LogWritesParams, LogWritesStatus } from './log-writes.js';
