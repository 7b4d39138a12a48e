/**
 * Byte layouts of the device-mapper ioctl structures (x86_64 and every other Linux ABI: the
 * structures use only fixed-width fields). Offsets in bytes; `size` is `sizeof`, which for the
 * structures ending in a flexible array is the offset of that array rounded up to the alignment.
 */

/** `struct dm_ioctl`: the header of every request and reply. */
export const DmIoctlLayout = {
  size: 312,
  version: 0, // __u32[3]
  data_size: 12, // __u32: size of the whole buffer, header included
  data_start: 16, // __u32: offset of the payload from the buffer start
  target_count: 20, // __u32
  open_count: 24, // __s32
  flags: 28, // __u32
  event_nr: 32, // __u32: event number, or the udev cookie
  padding: 36, // __u32
  dev: 40, // __u64: huge-encoded dev_t
  name: 48, // char[DM_NAME_LEN]
  uuid: 176, // char[DM_UUID_LEN]
  data: 305, // char[7]
} as const;

/** `struct dm_target_spec`, followed by the NUL-terminated params string. */
export const DmTargetSpecLayout = {
  size: 40,
  sector_start: 0, // __u64
  length: 8, // __u64
  status: 16, // __s32
  next: 20, // __u32: on load, bytes from this spec to the next; on reply, from data_start
  target_type: 24, // char[DM_MAX_TYPE_NAME]
} as const;

/** `struct dm_target_deps`: a count, then that many huge-encoded dev_t values. */
export const DmTargetDepsLayout = {
  size: 8,
  count: 0, // __u32
  padding: 4, // __u32
  dev: 8, // __u64[]
} as const;

/**
 * `struct dm_name_list`: one LIST_DEVICES record. After the name's NUL, aligned to 8: `__u32
 * event_nr`, `__u32 flags` (interface 4.38+), then the uuid if flags has HAS_UUID (4.45+).
 */
export const DmNameListLayout = {
  size: 16,
  dev: 0, // __u64
  next: 8, // __u32: bytes from this record to the next, 0 on the last
  name: 12, // char[]
} as const;

/** `struct dm_target_versions`: one LIST_VERSIONS / GET_TARGET_VERSION record. */
export const DmTargetVersionsLayout = {
  size: 16,
  next: 0, // __u32: bytes from this record to the next; the last points at itself (0)
  version: 4, // __u32[3]
  name: 16, // char[]
} as const;

/** `struct dm_target_msg`: the sector, then the NUL-terminated message. */
export const DmTargetMsgLayout = {
  size: 8,
  sector: 0, // __u64
  message: 8, // char[]
} as const;
