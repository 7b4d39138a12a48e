/**
 * The thin target: `<pool dev> <dev id> [<external origin dev>]`, one thin volume of a pool
 * (Documentation/admin-guide/device-mapper/thin-provisioning.rst; libdm's SEG_THIN). Module
 * dm-thin-pool. Status as libdm's dm_get_status_thin reads it: `<mapped sectors> <highest mapped
 * sector>` (`-` when nothing is mapped), or `Fail`.
 */
import { ArgReader, formatDevice, formatUint, statusNumber, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `thin(…)` takes: the pool, the thin device's id in it and an optional read-only external origin. */
export interface ThinParams {
  /** The thin-pool device. */
  pool: DeviceRef;
  /** The volume's 24-bit id in the pool (made with the pool's `create_thin` message). */
  deviceId: number;
  /** A read-only device outside the pool that unprovisioned reads come from. */
  externalOrigin?: DeviceRef;
}

/**
 * What `thin.parseStatus` gives: mapped sectors and the highest mapped sector; or `Fail` when the
 * pool failed.
 */
export type ThinStatus =
  | {
      readonly type: 'thin';
      readonly state: 'ok';
      readonly mappedSectors: Sectors;
      /** Undefined when nothing is mapped (`-`). */
      readonly highestMappedSector: Sectors | undefined;
      readonly extra: readonly string[];
    }
  /** The pool failed. */
  | { readonly type: 'thin'; readonly state: 'fail' }
  | { readonly type: 'thin'; readonly state: 'unknown'; readonly raw: string };

/**
 * The thin target: one thin volume of a pool (create it first with the pool message `create_thin
 * <id>`). E.g. `thin({ pool, deviceId: 1 })`.
 */
export const thin = defineTarget<ThinParams, ThinStatus>({
  type: 'thin',
  module: 'dm-thin-pool',
  format(params) {
    const words = [formatDevice('thin', 'pool', params.pool), formatUint('thin', 'deviceId', params.deviceId, 0, 0xffffff)];
    if (params.externalOrigin !== undefined) words.push(formatDevice('thin', 'externalOrigin', params.externalOrigin));
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('thin', text);
    const params: ThinParams = { pool: args.device('pool'), deviceId: args.uint('deviceId', 0, 0xffffff) };
    if (!args.done) params.externalOrigin = args.device('externalOrigin');
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    if (words[0] === 'Fail') return { type: 'thin', state: 'fail' };
    const mappedSectors = statusNumber(words[0]);
    if (mappedSectors === undefined || words[1] === undefined) return { type: 'thin', state: 'unknown', raw: text.trim() };
    return { type: 'thin', state: 'ok', mappedSectors, highestMappedSector: statusNumber(words[1]), extra: words.slice(2) };
  },
});
