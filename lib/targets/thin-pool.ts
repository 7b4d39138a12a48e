/**
 * The thin-pool target: `<metadata dev> <data dev> <block size> <low water mark> [<#features>
 * <feature>…]` (Documentation/admin-guide/device-mapper/thin-provisioning.rst; libdm's
 * SEG_THIN_POOL). Module dm-thin-pool. Status as libdm's parse_thin_pool_status reads it, plus
 * the held root and the metadata low watermark: `<transaction> <used>/<total metadata>
 * <used>/<total data> <held root|-> <rw|ro|out_of_data_space> <discards> <error|queue>_if_no_space
 * <needs_check|-> <metadata low watermark>`, or just `Fail` / `Error`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, statusNumber, statusRatio, statusWords, type DeviceRef, type Usage } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** thin-pool's feature flags, in the order the kernel shows them. */
export interface ThinPoolFeatures {
  /**
   * `skip_block_zeroing`: newly provisioned blocks are not zeroed first (faster; old data may show
   * through).
   */
  skipBlockZeroing?: boolean;
  /** `ignore_discard`: discards are not supported. */
  ignoreDiscard?: boolean;
  /** `no_discard_passdown`: a discard unmaps the blocks but is not passed down to the data device. */
  noDiscardPassdown?: boolean;
  /** `read_only`: no change to the metadata; only for a pool that was used read-write before. */
  readOnly?: boolean;
  /** `error_if_no_space`: fail I/O at once when the data device is full, instead of queueing it. */
  errorIfNoSpace?: boolean;
}

/** What `thinPool(…)` takes: metadata and data devices, block size, low-water mark and features. */
export interface ThinPoolParams {
  /** The device holding the pool's metadata (a new pool wants it zeroed in its first 4 KiB). */
  metadata: DeviceRef;
  /** The device holding the pool's data blocks. */
  data: DeviceRef;
  /** Data block size in sectors: 128 (64 KiB) to 2097152 (1 GiB), a multiple of 128. */
  blockSize: number;
  /** Free data blocks below which the pool sends an event. */
  lowWater: Sectors;
  /** Optional features; omitted when none is set. */
  features?: ThinPoolFeatures;
}

const FEATURES = [
  ['skipBlockZeroing', 'skip_block_zeroing'],
  ['ignoreDiscard', 'ignore_discard'],
  ['noDiscardPassdown', 'no_discard_passdown'],
  ['readOnly', 'read_only'],
  ['errorIfNoSpace', 'error_if_no_space'],
] as const;

/** A thin pool's status; `state` says which. */
export type ThinPoolStatus =
  | {
      readonly type: 'thin-pool';
      readonly state: 'ok';
      readonly transactionId: Sectors;
      /** Metadata blocks (4 KiB each). */
      readonly metadata: Usage;
      /** Data blocks (blockSize sectors each). */
      readonly data: Usage;
      /** The held metadata root (reserve_metadata_snap), or undefined for `-`. */
      readonly heldMetadataRoot: Sectors | undefined;
      /** rw; ro after a metadata failure; out_of_data_space when the data device is full. */
      readonly mode: 'rw' | 'ro' | 'out_of_data_space' | (string & {});
      readonly discards: 'passdown' | 'no-passdown' | 'ignore' | (string & {});
      /** What I/O does when the pool is full: fail at once, or queue (until no_space_timeout). */
      readonly whenFull: 'error' | 'queue' | (string & {});
      readonly needsCheck: boolean;
      readonly metadataLowWatermark: Sectors | undefined;
      /** Words after the known ones (newer kernels), kept raw. */
      readonly extra: readonly string[];
    }
  /** The pool failed: no I/O is possible; run thin_check/thin_repair. */
  | { readonly type: 'thin-pool'; readonly state: 'fail' }
  /** The kernel could not read the pool's metadata for the status (an I/O-failed pool too). */
  | { readonly type: 'thin-pool'; readonly state: 'error' }
  | { readonly type: 'thin-pool'; readonly state: 'unknown'; readonly raw: string };

const DISCARDS: Record<string, string> = { discard_passdown: 'passdown', no_discard_passdown: 'no-passdown', ignore_discard: 'ignore' };

/**
 * The thin-pool target: a pool of data blocks that thin volumes allocate from. E.g. `thinPool({
 * metadata, data, blockSize: 128, lowWater: 0, features: { errorIfNoSpace: true } })`.
 */
export const thinPool = defineTarget<ThinPoolParams, ThinPoolStatus>({
  type: 'thin-pool',
  module: 'dm-thin-pool',
  format(params) {
    const blockSize = formatUint('thin-pool', 'blockSize', params.blockSize, 128, 2097152);
    if (params.blockSize % 128 !== 0) throw fieldError('thin-pool', 'blockSize', `must be a multiple of 128 sectors, not ${blockSize}`);
    const words = [
      formatDevice('thin-pool', 'metadata', params.metadata),
      formatDevice('thin-pool', 'data', params.data),
      blockSize,
      formatSectors('thin-pool', 'lowWater', params.lowWater),
    ];
    const features = params.features ?? {};
    if (typeof features !== 'object' || features === null) throw fieldError('thin-pool', 'features', 'must be an object of flags');
    const set = FEATURES.filter(([field]) => features[field]).map(([, word]) => word);
    words.push(String(set.length), ...set);
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('thin-pool', text);
    const params: ThinPoolParams = {
      metadata: args.device('metadata'),
      data: args.device('data'),
      blockSize: args.uint('blockSize', 1),
      lowWater: args.sectors('lowWater'),
    };
    const features: ThinPoolFeatures = {};
    if (!args.done) {
      for (const word of args.args('features')) {
        const feature = FEATURES.find(([, name]) => name === word);
        if (!feature) throw fieldError('thin-pool', 'features', `has an unknown feature "${word}"`);
        features[feature[0]] = true;
      }
    }
    // Optional fields are given back only when set, so a built target and its parse compare equal.
    if (Object.keys(features).length > 0) params.features = features;
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    // libdm looks for these words anywhere; the kernel prints them alone.
    if (words[0] === 'Error') return { type: 'thin-pool', state: 'error' };
    if (words[0] === 'Fail') return { type: 'thin-pool', state: 'fail' };
    const transactionId = statusNumber(words[0]);
    const metadata = statusRatio(words[1]);
    const data = statusRatio(words[2]);
    if (transactionId === undefined || !metadata || !data) return { type: 'thin-pool', state: 'unknown', raw: text.trim() };
    const noSpace = words[6] ?? '';
    return {
      type: 'thin-pool',
      state: 'ok',
      transactionId,
      metadata,
      data,
      heldMetadataRoot: statusNumber(words[3]),
      mode: words[4] ?? '',
      discards: DISCARDS[words[5] ?? ''] ?? words[5] ?? '',
      whenFull: noSpace.endsWith('_if_no_space') ? noSpace.slice(0, -'_if_no_space'.length) : noSpace,
      needsCheck: words[7] === 'needs_check',
      metadataLowWatermark: statusNumber(words[8]),
      extra: words.slice(9),
    };
  },
});
