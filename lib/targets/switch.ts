/**
 * The switch target: `<#paths> <region size> <#optional args> <device> <offset>…` maps each region
 * to one of several paths by a table set with the `set_region_mappings` message
 * (Documentation/admin-guide/device-mapper/switch.rst). Module dm-switch. Linux 6.1 defines no
 * optional args (it shows `0`); status is empty.
 */
import { ArgReader, fieldError, formatDevice, formatSectors, formatUint, type DeviceRef } from './fields.js';
import { defineTarget } from './target.js';
import type { Sectors } from './units.js';

/** One path of a switch: a device and the first sector used on it. */
export interface SwitchPath {
  /** The path's device. */
  device: DeviceRef;
  /** Where the path's mapping starts on `device`, in 512-byte sectors. */
  offset: Sectors;
}

/** What `switchTarget(…)` takes: the region size and the paths regions are mapped to. */
export interface SwitchParams {
  /** Sectors per region. */
  regionSize: number;
  /** The paths, numbered from 0 in `set_region_mappings` messages. */
  paths: SwitchPath[];
}

/**
 * The switch target: each region mapped to one of several paths. E.g. `switchTarget({ regionSize:
 * 64, paths: [{ device, offset: 0 }, …] })` (`switch` is a keyword).
 */
export const switchTarget = defineTarget<SwitchParams>({
  type: 'switch',
  module: 'dm-switch',
  format(params) {
    if (!Array.isArray(params.paths) || params.paths.length === 0) throw fieldError('switch', 'paths', 'must be a list of at least one { device, offset }');
    const words = [String(params.paths.length), formatUint('switch', 'regionSize', params.regionSize, 1), '0'];
    params.paths.forEach((path, index) => {
      if (typeof path !== 'object' || path === null) throw fieldError('switch', `paths[${index}]`, 'must be { device, offset }');
      words.push(formatDevice('switch', `paths[${index}].device`, path.device), formatSectors('switch', `paths[${index}].offset`, path.offset));
    });
    return words.join(' ');
  },
  parse(text) {
    const args = new ArgReader('switch', text);
    const count = args.uint('path count', 1);
    const regionSize = args.uint('regionSize', 1);
    const optional = args.args('optional args');
    if (optional.length > 0) throw fieldError('switch', 'optional args', `are not known: ${optional.join(' ')}`);
    const paths: SwitchPath[] = [];
    for (let index = 0; index < count; index++) paths.push({ device: args.device(`paths[${index}].device`), offset: args.sectors(`paths[${index}].offset`) });
    args.end();
    return { regionSize, paths };
  },
});
