/**
 * The linear target: `<device> <offset>` maps a range onto another device from sector `offset`
 * (Documentation/admin-guide/device-mapper/linear.rst; libdm's SEG_LINEAR). Built into dm-mod.
 * Its status is empty. This file is the pattern every target file follows.
 */
import { ArgReader, formatDevice, formatSectors, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** What `linear(…)` takes: the device mapped onto and where on it the range starts. */
export interface LinearParams {
  /** The device mapped onto: a path, or `{ major, minor }` (what `table` shows). */
  device: DeviceRef;
  /** The first sector used on `device`. */
  offset: Sectors;
}

/**
 * The linear target: a range mapped onto another device from `offset` (sectors). E.g. `linear({
 * device: '/dev/loop0', offset: 0 })`.
 */
export const linear = defineTarget<LinearParams>({
  type: 'linear',
  module: null,
  format(params) {
    return `${formatDevice('linear', 'device', params.device)} ${formatSectors('linear', 'offset', params.offset)}`;
  },
  parse(text) {
    const args = new ArgReader('linear', text);
    const params: LinearParams = { device: args.device('device'), offset: args.sectors('offset') };
    args.end();
    return params;
  },
});
