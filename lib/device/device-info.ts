/** What the kernel says about one device (decoded from a reply header by ioctl/decoders.ts). Address it again with `byDev(info)`. */
export interface DeviceInfo {
  /** The device's name, as in /dev/mapper. */
  name: string;
  /** Empty when the device has no uuid. */
  uuid: string;
  /** The major number of the device's block device (`/dev/dm-<minor>`). */
  major: number;
  /** The minor number of the device's block device: the N of `/dev/dm-N`. */
  minor: number;
  /** How many times the block device is open; -1 when not known. */
  openCount: number;
  /** The device's event counter (bumped by targets, e.g. on a thin pool's low-water mark). */
  eventNr: number;
  /** Targets in the live table (or the inactive one, when that was asked for). */
  targetCount: number;
  /** The device is suspended: I/O to it waits until resume. */
  suspended: boolean;
  /** The live table (or the inactive one, when that was asked for) is read-only. */
  readOnly: boolean;
  /** A live (active) table is loaded. */
  liveTable: boolean;
  /** An inactive table is loaded, waiting for resume. */
  inactiveTable: boolean;
  /** Removal is deferred until the last opener closes the device. */
  deferredRemove: boolean;
  /** Suspended internally by the kernel (e.g. a thin pool during a snapshot). */
  internalSuspend: boolean;
  /**
   * The name's bytes, present only when they are not valid UTF-8 (dmsetup can make such names;
   * `name` then shows U+FFFD in their place and must not be used to address the device: use
   * `byDev(info)`).
   */
  nameBytes?: Buffer;
  /** The uuid's bytes, present only when they are not valid UTF-8. */
  uuidBytes?: Buffer;
}

