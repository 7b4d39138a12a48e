/**
 * The snapshot and snapshot-merge targets: `<origin> <COW device> <P|PO|N> <chunk size>
 * [<#features> discard_zeroes_cow [discard_passdown_origin]]`
 * (Documentation/admin-guide/device-mapper/snapshot.rst; libdm's SEG_SNAPSHOT and
 * SEG_SNAPSHOT_MERGE). Module dm-snapshot. Status as libdm's dm_get_status_snapshot reads it:
 * `<used>/<total> <metadata>` in sectors, or `Invalid`, `Merge failed`, `Overflow`.
 */
import { ArgReader, fieldError, formatDevice, formatUint, statusNumber, statusRatio, statusWords, type DeviceRef } from './fields.js';
import { defineTarget, type TargetType } from './target.js';
import type { Sectors } from './units.js';

/**
 * What `snapshot(…)` and `snapshotMerge(…)` take: origin and COW devices, persistence and chunk
 * size, discard features.
 */
export interface SnapshotParams {
  /**
   * The origin's data device (the `-real` device under an LVM origin, not the snapshot-origin
   * device itself).
   */
  origin: DeviceRef;
  /** The copy-on-write device holding changed chunks. */
  cow: DeviceRef;
  /** P: the COW survives a reboot; N: transient. */
  persistent: boolean;
  /** PO: a persistent COW that reports `Overflow` instead of being invalidated when full. */
  overflow?: boolean;
  /** Chunk size in sectors (a power of two). */
  chunkSize: number;
  /**
   * `discard_zeroes_cow`: a discard covering whole chunks drops their copies from the COW, so they
   * read as the origin again.
   */
  discardZeroesCow?: boolean;
  /** Needs discardZeroesCow. */
  discardPassdownOrigin?: boolean;
}

/** A snapshot's status; `state` says which. */
export type SnapshotStatus<T extends string = 'snapshot' | 'snapshot-merge'> =
  | {
      readonly type: T;
      readonly state: 'active';
      /** Sectors of the COW in use (data and metadata). */
      readonly used: Sectors;
      readonly total: Sectors;
      /** Sectors of the COW holding metadata; absent on old kernels. */
      readonly metadata: Sectors | undefined;
      /** For a merging snapshot: true once only metadata is left (used == metadata). */
      readonly mergeDone: boolean;
      readonly extra: readonly string[];
    }
  /** The COW filled up (or failed): the snapshot is dead. */
  | { readonly type: T; readonly state: 'invalid' }
  | { readonly type: T; readonly state: 'merge-failed' }
  /** A PO snapshot whose COW is full: writes to it fail, the origin is intact. */
  | { readonly type: T; readonly state: 'overflow' }
  /** Status text this parser does not know, kept raw. */
  | { readonly type: T; readonly state: 'unknown'; readonly raw: string };

function snapshotType<T extends 'snapshot' | 'snapshot-merge'>(
  type: T,
): TargetType<SnapshotParams, SnapshotStatus<T>> & { parseStatus(text: string): SnapshotStatus<T> } {
  return {
    type,
    module: 'dm-snapshot',
    format(params) {
      const store = params.persistent ? (params.overflow ? 'PO' : 'P') : 'N';
      if (params.overflow && !params.persistent) throw fieldError(type, 'overflow', 'needs a persistent snapshot');
      const chunk = formatUint(type, 'chunkSize', params.chunkSize, 1);
      if ((params.chunkSize & (params.chunkSize - 1)) !== 0) throw fieldError(type, 'chunkSize', `must be a power of two, not ${chunk}`);
      const words = [formatDevice(type, 'origin', params.origin), formatDevice(type, 'cow', params.cow), store, chunk];
      if (params.discardPassdownOrigin && !params.discardZeroesCow) {
        throw fieldError(type, 'discardPassdownOrigin', 'needs discardZeroesCow');
      }
      const features = [params.discardZeroesCow ? 'discard_zeroes_cow' : '', params.discardPassdownOrigin ? 'discard_passdown_origin' : ''].filter(Boolean);
      if (features.length > 0) words.push(String(features.length), ...features);
      return words.join(' ');
    },
    parse(text) {
      const args = new ArgReader(type, text);
      const origin = args.device('origin');
      const cow = args.device('cow');
      const store = args.word('persistent');
      if (store !== 'P' && store !== 'PO' && store !== 'N') throw fieldError(type, 'persistent', `must be P, PO or N, not "${store}"`);
      const params: SnapshotParams = { origin, cow, persistent: store !== 'N', chunkSize: args.uint('chunkSize', 1) };
      if (store === 'PO') params.overflow = true;
      if (!args.done) {
        for (const feature of args.args('features')) {
          if (feature === 'discard_zeroes_cow') params.discardZeroesCow = true;
          else if (feature === 'discard_passdown_origin') params.discardPassdownOrigin = true;
          else throw fieldError(type, 'features', `has an unknown feature "${feature}"`);
        }
      }
      args.end();
      return params;
    },
    parseStatus(text) {
      const trimmed = typeof text === 'string' ? text.trim() : '';
      if (trimmed === 'Invalid') return { type, state: 'invalid' };
      if (trimmed === 'Merge failed') return { type, state: 'merge-failed' };
      if (trimmed === 'Overflow') return { type, state: 'overflow' };
      const words = statusWords(trimmed);
      const ratio = statusRatio(words[0]);
      if (!ratio) return { type, state: 'unknown', raw: trimmed };
      const metadata = statusNumber(words[1]);
      return {
        type,
        state: 'active',
        used: ratio.used,
        total: ratio.total,
        metadata,
        mergeDone: metadata !== undefined && BigInt(ratio.used) === BigInt(metadata),
        extra: words.slice(metadata === undefined ? 1 : 2),
      };
    },
  };
}

/**
 * The snapshot target: an origin as it was, with changed chunks on a COW device. E.g. `snapshot({
 * origin, cow, persistent: true, chunkSize: 8 })`.
 */
export const snapshot = defineTarget(snapshotType('snapshot'));
/** `snapshotMerge({ … })`: the snapshot's params, loaded on the origin to merge the COW back. */
export const snapshotMerge = defineTarget(snapshotType('snapshot-merge'));
