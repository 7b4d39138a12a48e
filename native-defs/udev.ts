/**
 * The udev side of device-mapper, as data: libdevmapper's cookie format and udev flags
 * (`libdevmapper.h` of libdm 1.02.185: DM_COOKIE_MAGIC, DM_UDEV_*_FLAG, DM_SUBSYSTEM_UDEV_FLAG*),
 * and systemd-udevd's netlink message header (`libudev` prefix, 0xfeedcafe, group 2).
 *
 * The libdm numbers are checked against `<libdevmapper.h>` by test/unit/native-defs-udev.test.ts.
 */

/** The high 16 bits of every libdm notification semaphore key (decimal 3405). */
export const DM_COOKIE_MAGIC = 0x0d4d;
/** The udev flags live in the high 16 bits of a cookie (`event_nr`). */
export const DM_UDEV_FLAGS_SHIFT = 16;
/** The udev flags' bits in `event_nr` (the low 16 bits carry the cookie's low half). */
export const DM_UDEV_FLAGS_MASK = 0xffff0000;
/** The device directory udev manages; libdm compares DM_DEV_DIR with it. */
export const DM_UDEV_DEV_DIR = '/dev/';
/** `dm_udev_create_cookie`'s "make a new cookie" value. */
export const DM_COOKIE_AUTO_CREATE = 0;

/** The udev flags, as values of the high half (shift them by DM_UDEV_FLAGS_SHIFT into `event_nr`). */
export const DmUdevFlag = {
  DISABLE_DM_RULES: 0x0001,
  DISABLE_SUBSYSTEM_RULES: 0x0002,
  DISABLE_DISK_RULES: 0x0004,
  DISABLE_OTHER_RULES: 0x0008,
  LOW_PRIORITY: 0x0010,
  /** libdm must not make or remove nodes itself: udev does (the macro has no _FLAG suffix). */
  DISABLE_LIBRARY_FALLBACK: 0x0020,
  /** The event comes from a libdm-style caller (set on every RESUME/REMOVE/RENAME). */
  PRIMARY_SOURCE: 0x0040,
  SUBSYSTEM_0: 0x0100,
  SUBSYSTEM_1: 0x0200,
  SUBSYSTEM_2: 0x0400,
  SUBSYSTEM_3: 0x0800,
  SUBSYSTEM_4: 0x1000,
  SUBSYSTEM_5: 0x2000,
  SUBSYSTEM_6: 0x4000,
  SUBSYSTEM_7: 0x8000,
} as const;

/** The environment variable that hands a cookie to dmsetup (libdm's DM_UDEV_COOKIE_ENV_VAR_NAME). */
export const DM_UDEV_COOKIE_ENV = 'DM_UDEV_COOKIE';
/** The uevent property that carries the cookie (the kernel's DM_COOKIE_ENV_VAR_NAME). */
export const DM_COOKIE_PROPERTY = 'DM_COOKIE';

/** systemd-udevd's control socket: its presence means "udev is running" (libudev's test). */
export const UDEV_CONTROL_PATH = '/run/udev/control';

/** The netlink multicast groups of NETLINK_KOBJECT_UEVENT: the kernel's events, and udevd's after its rules. */
export const UeventGroup = {
  KERNEL: 1,
  UDEV: 2,
} as const;

/** The first bytes of a udevd message (8 bytes with the NUL), and its magic (big-endian on the wire). */
export const UDEV_MONITOR_PREFIX = 'libudev';
/** udevd's magic in its monitor messages' header, after UDEV_MONITOR_PREFIX. */
export const UDEV_MONITOR_MAGIC = 0xfeedcafe;

/**
 * systemd's `monitor_netlink_header` (sd-device/device-monitor.c), all fields `unsigned`; the
 * properties are NUL-separated `KEY=value` strings at `properties_off`, `properties_len` bytes.
 */
export const UdevMonitorHeaderLayout = {
  size: 40,
  prefix: 0, // char[8]
  magic: 8, // big-endian
  header_size: 12,
  properties_off: 16,
  properties_len: 20,
  filter_subsystem_hash: 24,
  filter_devtype_hash: 28,
  filter_tag_bloom_hi: 32,
  filter_tag_bloom_lo: 36,
} as const;
