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
  /** The major number (device-mapper's is the driver's, often 253 or 254). */
  major: number;
  /** The minor number (for a device-mapper device, the N of /dev/dm-N). */
  minor: number;
}

/** A device addressed by its name. */
export interface ByName {
  /** The device's name, as in /dev/mapper (at most 127 bytes). */
  readonly name: string;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly uuid?: never;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly major?: never;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly minor?: never;
}

/** A device addressed by its uuid. */
export interface ByUuid {
  /** The device's uuid (at most 128 bytes), e.g. LVM's `LVM-<vg uuid><lv uuid>`. */
  readonly uuid: string;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly name?: never;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly major?: never;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly minor?: never;
}

/** A device addressed by its device number (safe across renames). */
export interface ByDev {
  /** The device's major number. */
  readonly major: number;
  /** The device's minor number. */
  readonly minor: number;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly name?: never;
  /** Not set: a device is addressed by exactly one of name, uuid and device number. */
  readonly uuid?: never;
}

/** A device, addressed by exactly one of its name, its uuid or its device number. */
export type DeviceId = ByName | ByUuid | ByDev;
