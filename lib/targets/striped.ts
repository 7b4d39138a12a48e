/**
 * The striped target: `<#stripes> <chunk size> (<device> <offset>)…` spreads chunks over devices
 * round robin (Documentation/admin-guide/device-mapper/striped.rst; libdm's SEG_STRIPED). Built
 * into dm-mod. Status: `<#stripes> <device>… 1 <A|D per stripe>`, A alive, D dead.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, parseDevice, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** One stripe: a device and the first sector used on it. */
export interface Stripe {
  /** The stripe's device. */
  device: DeviceRef;
  /** Where the stripe starts on `device`, in 512-byte sectors. */
  offset: Sectors;
}

/** What `striped(…)` takes: the chunk size and the stripes, round robin in this order. */
export interface StripedParams {
  /** Sectors per chunk (the kernel wants at least a page). */
  chunkSize: number;
  /** The stripes, at least one; chunk n goes to stripe n mod stripes.length. */
  stripes: Stripe[];
}

/** striped's status: each stripe's device and whether it is alive. */
export interface StripedStatus {
  /** Always `striped`. */
  readonly type: 'striped';
  /** Each stripe's device and whether it is alive (`A`) or dead (`D`), in table order. */
  readonly stripes: readonly { readonly device: DeviceRef; readonly alive: boolean }[];
  /** Words after the health field (none today). */
  readonly extra: readonly string[];
}

/**
 * The striped target: chunks spread round robin over devices. E.g. `striped({ chunkSize: 128,
 * stripes: [{ device, offset }, …] })`.
 */
export const striped = defineTarget<StripedParams, StripedStatus>({
  type: 'striped',
  module: null,
  format(params) {
    if (!Array.isArray(params.stripes) || params.stripes.length === 0) {
      throw fieldError('striped', 'stripes', 'must be a list of at least one { device, offset }');
    }
    const words = [String(params.stripes.length), formatUint('striped', 'chunkSize', params.chunkSize, 1)];
    params.stripes.forEach((stripe, index) => {
      if (typeof stripe !== 'object' || stripe === null) throw fieldError('striped', `stripes[${index}]`, 'must be { device, offset }');
      words.push(formatDevice('striped', `stripes[${index}].device`, stripe.device));
      words.push(formatSectors('striped', `stripes[${index}].offset`, stripe.offset));
    });
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('striped', text);
    const count = args.uint('stripe count', 1);
    const chunkSize = args.uint('chunkSize', 1);
    const stripes: Stripe[] = [];
    for (let index = 0; index < count; index++) {
      stripes.push({ device: args.device(`stripes[${index}].device`), offset: args.sectors(`stripes[${index}].offset`) });
    }
    args.end();
    return { chunkSize, stripes };
  },
  parseStatus(text) {
    const words = statusWords(text);
    const count = Number(words[0]);
    const devices = Number.isSafeInteger(count) && count >= 0 ? words.slice(1, 1 + count) : [];
    // Then `1 <health>`: one character per stripe.
    const health = words[2 + devices.length] ?? '';
    return {
      type: 'striped',
      stripes: devices.map((device, index) => ({ device: parseDevice(device), alive: health[index] === 'A' })),
      extra: words.slice(3 + devices.length),
    };
  },
});

