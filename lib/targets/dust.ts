/**
 * The dust target: `<device> <offset> <block size>` emulates bad blocks: reads of blocks on its
 * list fail once enabled (message `addbadblock`, `enable`, …) (Documentation/admin-guide/
 * device-mapper/dm-dust.rst). Module dm-dust. Status: `<device> <fail_read_on_bad_block|bypass>
 * <quiet|verbose>`.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, parseDevice, statusWords, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `dust(…)` takes: the device, where on it the mapping starts and the bad-block size. */
export interface DustParams {
  /** The device I/O goes to. */
  device: DeviceRef;
  /** Where the mapping starts on `device`, in 512-byte sectors. */
  offset: Sectors;
  /** Bytes per block: a power of two, at least 512. */
  blockSize: number;
}

/**
 * What `dust.parseStatus` gives: whether reads of listed blocks fail and whether hits are logged;
 * or the raw text.
 */
export type DustStatus =
  | {
      readonly type: 'dust';
      readonly state: 'ok';
      readonly device: DeviceRef;
      /** True once `enable`d: reads of listed blocks fail (`fail_read_on_bad_block`); false: `bypass`. */
      readonly failReads: boolean;
      /** True when it does not log each bad-block hit (`quiet`). */
      readonly quiet: boolean;
      readonly extra: readonly string[];
    }
  | { readonly type: 'dust'; readonly state: 'unknown'; readonly raw: string };

function checkBlockSize(value: number): void {
  if ((value & (value - 1)) !== 0) throw fieldError('dust', 'blockSize', `must be a power of two, not ${value}`);
}

/**
 * The dust target: emulated bad blocks, listed by message. E.g. `dust({ device, offset: 0,
 * blockSize: 512 })`.
 */
export const dust = defineTarget<DustParams, DustStatus>({
  type: 'dust',
  module: 'dm-dust',
  format(params) {
    const blockSize = formatUint('dust', 'blockSize', params.blockSize, 512, 2 ** 31);
    checkBlockSize(params.blockSize);
    return `${formatDevice('dust', 'device', params.device)} ${formatSectors('dust', 'offset', params.offset)} ${blockSize}`;
  },
  parse(text) {
    const args = new ArgReader('dust', text);
    const params: DustParams = { device: args.device('device'), offset: args.sectors('offset'), blockSize: args.uint('blockSize', 512, 2 ** 31) };
    checkBlockSize(params.blockSize);
    args.end();
    return params;
  },
  parseStatus(text) {
    const words = statusWords(text);
    const [device, mode, noise] = words;
    if (device === undefined || (mode !== 'fail_read_on_bad_block' && mode !== 'bypass') || (noise !== 'quiet' && noise !== 'verbose')) {
      return { type: 'dust', state: 'unknown', raw: text.trim() };
    }
    return { type: 'dust', state: 'ok', device: parseDevice(device), failReads: mode === 'fail_read_on_bad_block', quiet: noise === 'quiet', extra: words.slice(3) };
  },
});
