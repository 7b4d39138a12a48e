/**
 * The device-mapper ioctl ABI of `<linux/dm-ioctl.h>` (interface 4.x), as data.
 *
 * Every number here is checked against the kernel header by test/unit/native-defs.test.ts, which
 * compiles a C probe with `cc`. No logic lives in this directory.
 */

/** The ioctl "type" byte of every device-mapper request. */
export const DM_IOCTL_TYPE = 0xfd;

/** The interface version this ABI describes (the uapi header's DM_VERSION_MAJOR/MINOR/PATCHLEVEL). */
export const DM_HEADER_VERSION = [4, 47, 0] as const;

/** The only interface major version the library speaks. */
export const DM_VERSION_MAJOR = 4;

/** The directory under the device directory that holds the device nodes: `/dev/mapper`. */
export const DM_DIR = 'mapper';
/** The control node's name in DM_DIR: `/dev/mapper/control`, the misc device every ioctl goes to. */
export const DM_CONTROL_NODE = 'control';
/** Target type names are shorter than this (NUL included). */
export const DM_MAX_TYPE_NAME = 16;
/** Device names are shorter than this (NUL included): at most 127 characters. */
export const DM_NAME_LEN = 128;
/** Device uuids are shorter than this (NUL included): at most 128 characters. */
export const DM_UUID_LEN = 129;

/** Command numbers (`DM_*_CMD`), the `nr` of each request. */
export const DmCommand = {
  VERSION: 0,
  REMOVE_ALL: 1,
  LIST_DEVICES: 2,
  DEV_CREATE: 3,
  DEV_REMOVE: 4,
  DEV_RENAME: 5,
  DEV_SUSPEND: 6,
  DEV_STATUS: 7,
  DEV_WAIT: 8,
  TABLE_LOAD: 9,
  TABLE_CLEAR: 10,
  TABLE_DEPS: 11,
  TABLE_STATUS: 12,
  LIST_VERSIONS: 13,
  TARGET_MSG: 14,
  DEV_SET_GEOMETRY: 15,
  DEV_ARM_POLL: 16,
  GET_TARGET_VERSION: 17,
} as const;
/** A command's name: `DEV_CREATE`, `TABLE_LOAD`, … (the kernel's DM_*_CMD without the affixes). */
export type DmCommandName = keyof typeof DmCommand;

/** Request numbers: `_IOWR(0xfd, nr, struct dm_ioctl)` = 0xC138FD00 | nr on every Linux ABI with a 312-byte dm_ioctl. */
export const DmRequest: Readonly<Record<DmCommandName, number>> = {
  VERSION: 0xc138fd00,
  REMOVE_ALL: 0xc138fd01,
  LIST_DEVICES: 0xc138fd02,
  DEV_CREATE: 0xc138fd03,
  DEV_REMOVE: 0xc138fd04,
  DEV_RENAME: 0xc138fd05,
  DEV_SUSPEND: 0xc138fd06,
  DEV_STATUS: 0xc138fd07,
  DEV_WAIT: 0xc138fd08,
  TABLE_LOAD: 0xc138fd09,
  TABLE_CLEAR: 0xc138fd0a,
  TABLE_DEPS: 0xc138fd0b,
  TABLE_STATUS: 0xc138fd0c,
  LIST_VERSIONS: 0xc138fd0d,
  TARGET_MSG: 0xc138fd0e,
  DEV_SET_GEOMETRY: 0xc138fd0f,
  DEV_ARM_POLL: 0xc138fd10,
  GET_TARGET_VERSION: 0xc138fd11,
};

/**
 * The interface version each command is sent with: the oldest driver that knows it (the kernel
 * accepts a request when its major is 4 and its minor is not newer than the driver's). Same values
 * as libdevmapper's `_cmd_data_v4`.
 */
export const DmCommandMinVersion: Readonly<Record<DmCommandName, readonly [number, number, number]>> = {
  VERSION: [4, 0, 0],
  REMOVE_ALL: [4, 0, 0],
  LIST_DEVICES: [4, 0, 0],
  DEV_CREATE: [4, 0, 0],
  DEV_REMOVE: [4, 0, 0],
  DEV_RENAME: [4, 0, 0],
  DEV_SUSPEND: [4, 0, 0],
  DEV_STATUS: [4, 0, 0],
  DEV_WAIT: [4, 0, 0],
  TABLE_LOAD: [4, 0, 0],
  TABLE_CLEAR: [4, 0, 0],
  TABLE_DEPS: [4, 0, 0],
  TABLE_STATUS: [4, 0, 0],
  LIST_VERSIONS: [4, 1, 0],
  TARGET_MSG: [4, 2, 0],
  DEV_SET_GEOMETRY: [4, 6, 0],
  DEV_ARM_POLL: [4, 36, 0],
  GET_TARGET_VERSION: [4, 41, 0],
};

/** `dm_ioctl.flags` bits. */
export const DmFlag = {
  READONLY: 1 << 0,
  SUSPEND: 1 << 1,
  /** Not in the uapi header: libdevmapper's private "exists" bit, which it sets on every request. */
  EXISTS: 1 << 2,
  PERSISTENT_DEV: 1 << 3,
  STATUS_TABLE: 1 << 4,
  ACTIVE_PRESENT: 1 << 5,
  INACTIVE_PRESENT: 1 << 6,
  BUFFER_FULL: 1 << 8,
  SKIP_BDGET: 1 << 9,
  SKIP_LOCKFS: 1 << 10,
  NOFLUSH: 1 << 11,
  QUERY_INACTIVE_TABLE: 1 << 12,
  UEVENT_GENERATED: 1 << 13,
  UUID: 1 << 14,
  SECURE_DATA: 1 << 15,
  DATA_OUT: 1 << 16,
  DEFERRED_REMOVE: 1 << 17,
  INTERNAL_SUSPEND: 1 << 18,
  IMA_MEASUREMENT: 1 << 19,
} as const;
/** A flag's name: `READONLY`, `SUSPEND`, … (the kernel's DM_*_FLAG without the affixes). */
export type DmFlagName = keyof typeof DmFlag;

/** `dm_name_list.flags` bits (after the name, 8-aligned), interface 4.45+ with DM_UUID_FLAG. */
export const DmNameListFlag = {
  HAS_UUID: 1,
  DOESNT_HAVE_UUID: 2,
} as const;
