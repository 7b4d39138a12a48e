/**
 * The era target: `<metadata device> <origin device> <block size>` records in which era each
 * block was last written (Documentation/admin-guide/device-mapper/era.rst). Module dm-era.
 * Status: `<metadata block size> <used>/<total metadata blocks> <current era> <held root|->`.
 */
import { ArgReader, formatDevice, formatUint, statusNumber, statusRatio, statusWords, type DeviceRef, type Usage } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `era(…)` takes: metadata and origin devices and the tracked block size. */
export interface EraParams {
  /** The device holding era's metadata (the era of each block). */
  metadata: DeviceRef;
  /** The device whose writes are tracked. */
  origin: DeviceRef;
  /** Sectors per tracked block. */
  blockSize: number;
}

/**
 * What `era.parseStatus` gives: metadata usage, the current era and a held metadata root; or the
 * raw text.
 */
export type EraStatus =
  | {
      readonly type: 'era';
      readonly state: 'ok';
      /** Metadata block size in sectors (8: 4 KiB). */
      readonly metadataBlockSize: number;
      readonly metadata: Usage;
      readonly currentEra: Sectors;
      /** The metadata snapshot's root after `take_metadata_snap`; undefined for `-`. */
      readonly heldMetadataRoot: Sectors | undefined;
      readonly extra: readonly string[];
    }
  | { readonly type: 'era'; readonly state: 'unknown'; readonly raw: string };

/**
 * The era target: records in which era each block was last written. E.g. `era({ metadata, origin,
 * blockSize: 128 })`.
 */
export const era = defineTarget<EraParams, EraStatus>({
  type: 'era',
  module: 'dm-era',
  format(params) {
    return [formatDevice('era', 'metadata', params.metadata), formatDevice('era', 'origin', params.origin), formatUint('era', 'blockSize', params.blockSize, 1)].join(' ');
  },
  parse(text) {
    const args = new ArgReader('era', text);
    const params: EraParams = { metadata: args.device('metadata'), origin: args.device('origin'), blockSize: args.uint('blockSize', 1) };
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const blockSize = statusNumber(words[0]);
    const metadata = statusRatio(words[1]);
    const currentEra = statusNumber(words[2]);
    if (blockSize === undefined || !metadata || currentEra === undefined || words[3] === undefined) return { type: 'era', state: 'unknown', raw: text.trim() };
    return { type: 'era', state: 'ok', metadataBlockSize: Number(blockSize), metadata, currentEra, heldMetadataRoot: statusNumber(words[3]), extra: words.slice(4) };
  },
});
