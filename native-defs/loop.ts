/**
 * The loop driver's ABI (`<linux/loop.h>`, `<linux/major.h>`), as data: ioctl numbers, flags and
 * the `struct loop_info64` / `struct loop_config` layouts that LoopDevice speaks (util-linux's
 * libloop / losetup counterpart). Every value is checked against the headers by a compiled C probe
 * (test/unit/native-defs-loop.test.ts).
 */

/** Ioctls on a loop block device (`/dev/loopN`). All take an int, or a pointer where noted. */
export const LoopIoctl = {
  /** Bind the device to the file whose fd is the argument (legacy first step). */
  LOOP_SET_FD: 0x4c00,
  /** Unbind; lazy (sets AUTOCLEAR) while someone else has the device open. */
  LOOP_CLR_FD: 0x4c01,
  /** Legacy `struct loop_info` (int-sized offsets): mirrored for completeness, never used. */
  LOOP_SET_STATUS: 0x4c02,
  LOOP_GET_STATUS: 0x4c03,
  /** `struct loop_info64 *`: offset, size limit, settable flags, file name. */
  LOOP_SET_STATUS64: 0x4c04,
  /** `struct loop_info64 *` out. ENXIO when the device is not bound. */
  LOOP_GET_STATUS64: 0x4c05,
  LOOP_CHANGE_FD: 0x4c06,
  /** Re-read the backing file's size. */
  LOOP_SET_CAPACITY: 0x4c07,
  /** 1 to use direct I/O on the backing file, 0 for buffered; EINVAL when it cannot. */
  LOOP_SET_DIRECT_IO: 0x4c08,
  LOOP_SET_BLOCK_SIZE: 0x4c09,
  /** `struct loop_config *`: bind and configure in one step (Linux 5.8+). */
  LOOP_CONFIGURE: 0x4c0a,
} as const;

/** Ioctls on `/dev/loop-control`. */
export const LoopControlIoctl = {
  /** Add device N (the argument); returns N. */
  LOOP_CTL_ADD: 0x4c80,
  /** Remove unbound device N. */
  LOOP_CTL_REMOVE: 0x4c81,
  /** Returns the index of an unbound device, adding one if there is none. */
  LOOP_CTL_GET_FREE: 0x4c82,
} as const;

/** `lo_flags` bits (an enum in the header). */
export const LoopFlag = {
  READ_ONLY: 1,
  /** Unbind when the last opener closes the device. */
  AUTOCLEAR: 4,
  /** Scan the device for partitions (`loopNp1`, …). */
  PARTSCAN: 8,
  DIRECT_IO: 16,
} as const;

/** Flags LOOP_SET_STATUS64 can set (others are ignored), clear, and LOOP_CONFIGURE can set. */
export const LoopSettableFlags = {
  LOOP_SET_STATUS_SETTABLE_FLAGS: LoopFlag.AUTOCLEAR | LoopFlag.PARTSCAN,
  LOOP_SET_STATUS_CLEARABLE_FLAGS: LoopFlag.AUTOCLEAR,
  LOOP_CONFIGURE_SETTABLE_FLAGS: LoopFlag.READ_ONLY | LoopFlag.AUTOCLEAR | LoopFlag.PARTSCAN | LoopFlag.DIRECT_IO,
} as const;

/** Sizes of the name and key arrays of `struct loop_info64`. */
export const LO_NAME_SIZE = 64;
/** Bytes of `lo_encrypt_key` in `struct loop_info64` (loop encryption is gone from the kernel: left zero). */
export const LO_KEY_SIZE = 32;

/** Device numbers and node names of the loop driver. */
export const LoopNode = {
  /** `<linux/major.h>` LOOP_MAJOR: the block major of /dev/loopN (minor N << part_shift). */
  LOOP_MAJOR: 7,
  /** The misc minor of /dev/loop-control (the `loop` module's devname alias: c 10:237). */
  LOOP_CTRL_MINOR: 237,
  LOOP_CONTROL_NODE: 'loop-control',
} as const;

/** `struct loop_info64` (fixed-width fields only: the same on every Linux ABI). */
export const LoopInfo64Layout = {
  size: 232,
  lo_device: 0, // __u64: st_dev of the backing file (r/o)
  lo_inode: 8, // __u64: st_ino of the backing file (r/o)
  lo_rdevice: 16, // __u64: st_rdev of the backing file (r/o)
  lo_offset: 24, // __u64: bytes
  lo_sizelimit: 32, // __u64: bytes, 0 = up to the end of the file
  lo_number: 40, // __u32: N of /dev/loopN (r/o)
  lo_encrypt_type: 44, // __u32: obsolete, ignored
  lo_encrypt_key_size: 48, // __u32
  lo_flags: 52, // __u32: LoopFlag bits
  lo_file_name: 56, // __u8[LO_NAME_SIZE]: as the binder wrote it (truncated)
  lo_crypt_name: 120, // __u8[LO_NAME_SIZE]
  lo_encrypt_key: 184, // __u8[LO_KEY_SIZE]
  lo_init: 216, // __u64[2]
} as const;

/** `struct loop_config`: LOOP_CONFIGURE's argument. */
export const LoopConfigLayout = {
  size: 304,
  fd: 0, // __u32: the backing file's fd
  block_size: 4, // __u32: logical block size, 0 = the default (512)
  info: 8, // struct loop_info64
  __reserved: 240, // __u64[8]: must be zero
} as const;
