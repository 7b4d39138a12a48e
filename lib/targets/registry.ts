/**
 * The registry of typed targets, by kernel type name. A type not in it is not an error: its rows
 * stay raw text (libdm likewise passes unknown segment types through as their params string).
 */
import type { TargetType } from './target.js';
import { cache } from './cache.js';
import { crypt } from './crypt.js';
import { error } from './error.js';
import { linear } from './linear.js';
import { snapshotOrigin } from './snapshot-origin.js';
import { snapshot, snapshotMerge } from './snapshot.js';
import { striped } from './striped.js';
import { thinPool } from './thin-pool.js';
import { thin } from './thin.js';
import { writecache } from './writecache.js';
import { zero } from './zero.js';
import { mirror } from './mirror.js';
import { raid } from './raid.js';
import { multipath } from './multipath.js';
import { delay } from './delay.js';
import { flakey } from './flakey.js';
import { dust } from './dust.js';
import { integrity } from './integrity.js';
import { verity } from './verity.js';
import { era } from './era.js';
import { unstriped } from './unstriped.js';
import { switchTarget } from './switch.js';
import { logWrites } from './log-writes.js';

/** Every target type this library models. A new target file: defineTarget in lib/targets/<type>.ts, listed here, exported from index.ts. */
const KNOWN: readonly TargetType<unknown, unknown>[] = [
  linear,
  striped,
  zero,
  error,
  crypt,
  snapshotOrigin,
  snapshot,
  snapshotMerge,
  thinPool,
  thin,
  cache,
  writecache,
  mirror,
  raid,
  multipath,
  delay,
  flakey,
  dust,
  integrity,
  verity,
  era,
  unstriped,
  switchTarget,
  logWrites,
];

const BY_TYPE: ReadonlyMap<string, TargetType<unknown, unknown>> = new Map(KNOWN.map((kind) => [kind.type, kind]));

/** The typed target `type`, or undefined for a type the library does not model. */
export function targetType(type: string): TargetType<unknown, unknown> | undefined {
  return BY_TYPE.get(type);
}

/** Every modelled target type. */
export function allTargetTypes(): readonly TargetType<unknown, unknown>[] {
  return KNOWN;
}

/**
 * Params text with its secrets hidden the way `dmsetup table` shows it without --showkeys (crypt
 * and integrity keys become zeros); text of any other type is returned as it is.
 */
export function hideSecrets(type: string, params: string): string {
  const kind = BY_TYPE.get(type);
  return kind?.hideSecrets ? kind.hideSecrets(params) : params;
}
