/**
 * How a device is addressed: by name, by uuid or by device number. Types only, no imports, so
 * every part of the library (errors included) can name them without an import circle.
 *
 * The three shapes exclude each other in the type: `{ name: 'a', uuid: 'b' }` does not compile,
 * and neither does a whole `DeviceInfo` (which has all three). Address a device you already hold
 * with `byDev(info)` (or `byName(info.name)`), never by copying fields.
 */

/** A block or character device number. */
export interface DevNumber {
  major: number;
  minor: number;
}

/** A device addressed by its name. */
export interface ByName {
  readonly name: string;
  readonly uuid?: never;
  readonly major?: never;
  readonly minor?: never;
}

/** A device addressed by its uuid. */
export interface ByUuid {
  readonly uuid: string;
  readonly name?: never;
  readonly major?: never;
  readonly minor?: never;
}

/** A device addressed by its device number (safe across renames). */
export interface ByDev {
  readonly major: number;
  readonly minor: number;
  readonly name?: never;
  readonly uuid?: never;
}

/** A device, addressed by exactly one of its name, its uuid or its device number. */
export type DeviceId = ByName | ByUuid | ByDev;

/** `{ name }`. */
export function byName(name: string): ByName {
  return { name };
}

/** `{ uuid }`. */
export function byUuid(uuid: string): ByUuid {
  return { uuid };
}

/** The device number of anything that has one (a DeviceInfo, a listed device, a DevNumber). */
export function byDev(device: DevNumber): ByDev {
  return { major: device.major, minor: device.minor };
}
