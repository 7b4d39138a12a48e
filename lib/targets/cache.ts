/**
 * The cache target: `<metadata> <cache> <origin> <block size> <#features> <feature>… <policy>
 * <#policy args> <key value>…` (Documentation/admin-guide/device-mapper/cache.rst; libdm's
 * SEG_CACHE). Module dm-cache; the kernel echoes the params after the devices as they were given.
 * Status as libdm's dm_get_status_cache reads it (see CacheStatus), or `Fail` / `Error`.
 */
import { ArgReader, fieldError, formatArgs, formatDevice, formatUint, formatWord, statusNumber, statusRatio, statusWords, type DeviceRef, type Usage } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** Policy or core key/value arguments; numbers are shown as numbers. */
export type KeyValues = Record<string, string | number>;

/** What `cache(…)` takes: metadata, cache and origin devices, block size, mode, features and policy. */
export interface CacheParams {
  /** The device holding the cache's metadata (the mapping and hints; it outlives activations). */
  metadata: DeviceRef;
  /** The fast device holding cached blocks. */
  cache: DeviceRef;
  /** The slow device. */
  origin: DeviceRef;
  /** Cache block size in sectors: 64 (32 KiB) to 2097152 (1 GiB), a multiple of 64. */
  blockSize: number;
  /** Absent: not written, so the kernel's default (writeback). */
  mode?: 'writeback' | 'writethrough' | 'passthrough';
  /** `metadata2` feature: the newer, faster metadata format (set it when the metadata is formatted). */
  metadata2?: boolean;
  /** `no_discard_passdown` feature: discards are not passed down to the origin. */
  noDiscardPassdown?: boolean;
  /** `smq`, `mq`, `cleaner`; absent: `default`. */
  policy?: string;
  /** The policy's key/value args (e.g. `{ migration_threshold: 2048 }`), written after their count. */
  policyArgs?: KeyValues;
}

/**
 * What `cache.parseStatus` gives: usage, hit and miss counters, dirty blocks, mode and policy, and
 * whether metadata needs a check; or `Fail` / `Error`.
 */
export type CacheStatus =
  | {
      readonly type: 'cache';
      readonly state: 'ok';
      /** In sectors. */
      readonly metadataBlockSize: number;
      readonly metadata: Usage;
      /** In sectors. */
      readonly blockSize: number;
      readonly cache: Usage;
      readonly readHits: Sectors;
      readonly readMisses: Sectors;
      readonly writeHits: Sectors;
      readonly writeMisses: Sectors;
      readonly demotions: Sectors;
      readonly promotions: Sectors;
      readonly dirty: Sectors;
      readonly features: readonly string[];
      readonly mode: 'writeback' | 'writethrough' | 'passthrough';
      readonly coreArgs: Readonly<KeyValues>;
      readonly policy: string;
      readonly policyArgs: Readonly<KeyValues>;
      readonly metadataMode: 'rw' | 'ro' | (string & {});
      readonly needsCheck: boolean;
      readonly extra: readonly string[];
    }
  | { readonly type: 'cache'; readonly state: 'fail' }
  | { readonly type: 'cache'; readonly state: 'error' }
  | { readonly type: 'cache'; readonly state: 'unknown'; readonly raw: string };

const MODES = new Set(['writeback', 'writethrough', 'passthrough']);

function formatKeyValues(field: string, values: KeyValues | undefined): string[] {
  if (values === undefined) return [];
  if (typeof values !== 'object' || values === null) throw fieldError('cache', field, 'must be an object of key/value pairs');
  return Object.entries(values).flatMap(([key, value]) => [
    formatWord('cache', `${field} key`, key),
    typeof value === 'number' ? formatUint('cache', `${field}.${key}`, value, 0, Number.MAX_SAFE_INTEGER) : formatWord('cache', `${field}.${key}`, value),
  ]);
}

function keyValues(words: readonly string[]): KeyValues {
  const values: KeyValues = {};
  for (let index = 0; index + 1 < words.length; index += 2) {
    const value = words[index + 1]!;
    values[words[index]!] = /^\d{1,15}$/.test(value) ? Number(value) : value;
  }
  return values;
}

/**
 * The cache target: a fast device caching a slow one (dm-cache). E.g. `cache({ metadata, cache,
 * origin, blockSize: 128, mode: 'writethrough', policy: 'smq' })`.
 */
export const cache = defineTarget<CacheParams, CacheStatus>({
  type: 'cache',
  module: 'dm-cache',
  format(params) {
    const blockSize = formatUint('cache', 'blockSize', params.blockSize, 64, 2097152);
    if (params.blockSize % 64 !== 0) throw fieldError('cache', 'blockSize', `must be a multiple of 64 sectors, not ${blockSize}`);
    if (params.mode !== undefined && !MODES.has(params.mode)) throw fieldError('cache', 'mode', 'must be writeback, writethrough or passthrough');
    const features = [params.metadata2 ? 'metadata2' : '', params.mode ?? '', params.noDiscardPassdown ? 'no_discard_passdown' : ''].filter(Boolean);
    return [
      formatDevice('cache', 'metadata', params.metadata),
      formatDevice('cache', 'cache', params.cache),
      formatDevice('cache', 'origin', params.origin),
      blockSize,
      formatArgs('cache', 'features', features),
      formatWord('cache', 'policy', params.policy ?? 'default'),
      formatArgs('cache', 'policyArgs', formatKeyValues('policyArgs', params.policyArgs)),
    ].join(' ');
  },
  parse(text) {
    const args = new ArgReader('cache', text);
    const params: CacheParams = { metadata: args.device('metadata'), cache: args.device('cache'), origin: args.device('origin'), blockSize: args.uint('blockSize', 1) };
    for (const feature of args.args('features')) {
      if (MODES.has(feature)) params.mode = feature as CacheParams['mode'];
      else if (feature === 'metadata2') params.metadata2 = true;
      else if (feature === 'no_discard_passdown') params.noDiscardPassdown = true;
      else throw fieldError('cache', 'features', `has an unknown feature "${feature}"`);
    }
    const policy = args.word('policy');
    if (policy !== 'default') params.policy = policy;
    const policyArgs = args.args('policyArgs');
    if (policyArgs.length % 2 !== 0) throw fieldError('cache', 'policyArgs', 'must be key/value pairs');
    if (policyArgs.length > 0) params.policyArgs = keyValues(policyArgs);
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    if (words[0] === 'Error') return { type: 'cache', state: 'error' };
    if (words[0] === 'Fail') return { type: 'cache', state: 'fail' };
    const numbers = [0, 2, 4, 5, 6, 7, 8, 9, 10].map((at) => statusNumber(words[at]));
    const metadata = statusRatio(words[1]);
    const used = statusRatio(words[3]);
    const featureCount = Number(words[11]);
    if (numbers.some((value) => value === undefined) || !metadata || !used || !Number.isSafeInteger(featureCount)) {
      return { type: 'cache', state: 'unknown', raw: text.trim() };
    }
    let at = 12;
    const features = words.slice(at, (at += featureCount));
    const coreCount = Number(words[at++]);
    const coreArgs = keyValues(words.slice(at, (at += Number.isSafeInteger(coreCount) ? coreCount : 0)));
    const policy = words[at++] ?? '';
    const policyCount = Number(words[at++]);
    const policyArgs = keyValues(words.slice(at, (at += Number.isSafeInteger(policyCount) ? policyCount : 0)));
    const [metadataBlockSize, blockSize, readHits, readMisses, writeHits, writeMisses, demotions, promotions, dirty] = numbers as Sectors[];
    const mode = features.find((word) => MODES.has(word)) as 'writeback' | 'writethrough' | 'passthrough' | undefined;
    return {
      type: 'cache',
      state: 'ok',
      metadataBlockSize: Number(metadataBlockSize),
      metadata,
      blockSize: Number(blockSize),
      cache: used,
      readHits: readHits!,
      readMisses: readMisses!,
      writeHits: writeHits!,
      writeMisses: writeMisses!,
      demotions: demotions!,
      promotions: promotions!,
      dirty: dirty!,
      features,
      mode: mode ?? 'writeback',
      coreArgs,
      policy,
      policyArgs,
      metadataMode: words[at++] ?? '',
      needsCheck: words[at++] === 'needs_check',
      extra: words.slice(at),
    };
  },
});
