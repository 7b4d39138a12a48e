/**
 * The kernel answers a failed device-mapper ioctl with a bare errno and puts its reason in dmesg.
 * These hints say in words what that errno means for that ioctl, so nobody has to read dmesg.
 */
import type { DmCommandName } from '../../native-defs/index.js';

const hints: Partial<Record<DmCommandName, Partial<Record<string, string>>>> = {
  DEV_CREATE: {
    EBUSY: 'a device with this name or uuid already exists',
    EINVAL: 'the kernel refused the name or uuid (empty, or not valid for this kernel)',
    ENXIO: 'the requested device number is not available',
  },
  DEV_REMOVE: {
    EBUSY: 'the device is in use (open, mounted, or held by another device); close its users, retry, or use deferred removal',
    ENXIO: 'no such device',
  },
  DEV_RENAME: {
    EBUSY: 'a device with the new name or uuid already exists',
    EINVAL: 'the new name or uuid was refused; a device that already has a uuid cannot be given another one',
    ENXIO: 'no such device',
  },
  DEV_SUSPEND: {
    ENXIO: 'no such device',
    EINVAL: 'the device has no table to activate (load one first)',
  },
  TABLE_LOAD: {
    EINVAL: 'the kernel refused the table: a target\'s parameters are wrong, a device it names does not exist or is too small, or the rows leave gaps',
    EBUSY: 'a device in the table is held exclusively by someone else',
    ENXIO: 'no such device',
    ENOTBLK: 'a path in the table is not a block device',
    ENODEV: 'a device named in the table does not exist',
  },
  TARGET_MSG: {
    EINVAL: 'the target refused the message (unknown message, wrong arguments, or sector outside the table)',
    ENXIO: 'no such device',
  },
  DEV_SET_GEOMETRY: {
    EINVAL: 'the geometry was refused: it needs four numbers, cylinders ≤ 65535, heads ≤ 255, sectors ≤ 255',
    ENXIO: 'no such device',
  },
  GET_TARGET_VERSION: {
    EINVAL: 'the kernel has no target of that type (its module may not be loaded)',
  },
  DEV_WAIT: {
    ENXIO: 'no such device',
    EINTR: 'the wait was interrupted',
  },
};

/** A few words on why `command` failed with `code`; undefined when the errno speaks for itself. */
export function ioctlHint(command: DmCommandName, code: string): string | undefined {
  const specific = hints[command]?.[code];
  if (specific) return specific;
  if (code === 'ENXIO') return 'no such device';
  if (code === 'EACCES' || code === 'EPERM') return 'device-mapper ioctls need root (CAP_SYS_ADMIN)';
  return undefined;
}
