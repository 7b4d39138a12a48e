/**
 * The unstriped target: `<#stripes> <chunk size> <stripe #> <device> <offset>` exposes one stripe
 * of a striped layout as its own device (Documentation/admin-guide/device-mapper/unstriped.rst).
 * Module dm-unstripe (the file name, not the type name). Status is empty.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `unstriped(…)` takes: the striped layout and which stripe of it to expose. */
export interface UnstripedParams {
  /** Stripes in the layout. */
  stripes: number;
  /** Sectors per chunk. */
  chunkSize: number;
  /** Which stripe to expose, from 0. */
  stripe: number;
  /** The device holding the striped layout (one of its members). */
  device: DeviceRef;
  /** Where the layout starts on `device`, in 512-byte sectors. */
  offset: Sectors;
}

function checkStripe(stripes: number, stripe: number): void {
  if (stripe >= stripes) throw fieldError('unstriped', 'stripe', `must be below stripes (${stripes}), not ${stripe}`);
}

/**
 * The unstriped target: one stripe of a striped layout as a device of its own. E.g. `unstriped({
 * stripes: 2, chunkSize: 128, stripe: 1, device, offset: 0 })`.
 */
export const unstriped = defineTarget<UnstripedParams>({
  type: 'unstriped',
  module: 'dm-unstripe',
  format(params) {
    const words = [
      formatUint('unstriped', 'stripes', params.stripes, 1),
      formatUint('unstriped', 'chunkSize', params.chunkSize, 1),
      formatUint('unstriped', 'stripe', params.stripe),
      formatDevice('unstriped', 'device', params.device),
      formatSectors('unstriped', 'offset', params.offset),
    ];
    checkStripe(params.stripes, params.stripe);
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('unstriped', text);
    const stripes = args.uint('stripes', 1);
    const chunkSize = args.uint('chunkSize', 1);
    const stripe = args.uint('stripe');
    checkStripe(stripes, stripe);
    const params: UnstripedParams = { stripes, chunkSize, stripe, device: args.device('device'), offset: args.sectors('offset') };
    args.end();
    return params;
  },
});
