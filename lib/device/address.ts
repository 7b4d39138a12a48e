/**
 * The address builders: `byName`, `byUuid`, `byDev`. Apart from device-id.ts (types only, no
 * imports) so that byDev can refuse what has no device number with a DmError.
 */
import { invalidArgument } from '../errors.js';
import type { ByDev, ByName, ByUuid, DevNumber } from './device-id.js';
import { validateDevNumber } from './devt.js';

/** An address by name: `byName('vg-lv')` is `{ name: 'vg-lv' }`, typed so it cannot also carry a uuid. */
export function byName(name: string): ByName {
  return { name };
}

/** An address by uuid: `{ uuid }`, typed so it cannot also carry a name. */
export function byUuid(uuid: string): ByUuid {
  return { uuid };
}

/**
 * The device number of anything that has one (a DeviceInfo, a listed device, a DevNumber).
 * Anything without a whole `major` and `minor` in the kernel's range is refused (invalid-argument).
 */
export function byDev(device: DevNumber): ByDev {
  if (typeof device !== 'object' || device === null || typeof device.major !== 'number' || typeof device.minor !== 'number') {
    throw invalidArgument('byDev() needs something with a device number { major, minor }');
  }
  validateDevNumber(device.major, device.minor);
  return { major: device.major, minor: device.minor };
}
