/**
 * The libc functions the library calls through koffi, as koffi prototype strings. Everything else
 * (open, stat, unlink, chown, readdir) goes through node:fs.
 */
export const LIBC_SONAME = 'libc.so.6';

/** The libc functions the library binds through koffi, as prototype strings, by the name it calls them. */
export const LibcPrototypes = {
  /** ioctl(2) with a byte buffer argument (the dm_ioctl buffer, or an int for BLKRAGET/BLKRASET). */
  ioctl: 'int ioctl(int fd, unsigned long request, void *arg)',
  /** ioctl(2) with an integer argument (BLKRASET takes the value itself). */
  ioctlValue: 'int ioctl(int fd, unsigned long request, unsigned long arg)',
  /** mknod(2): node: fs has no way to make device nodes. */
  mknod: 'int mknod(const char *path, uint32_t mode, uint64_t dev)',
  /** strerror(3): glibc's exact message text, as dmsetup prints it. */
  strerror: 'const char *strerror(int errnum)',
} as const;

/** Block-device ioctls (`<linux/fs.h>`) used for read-ahead when sysfs cannot be used. */
export const BlockIoctl = {
  /** _IO(0x12, 98): set read-ahead, in 512-byte sectors. */
  BLKRASET: 0x1262,
  /** _IO(0x12, 99): get read-ahead into a long, in 512-byte sectors. */
  BLKRAGET: 0x1263,
} as const;

/** Device-number constants of the misc driver and of device-mapper's control node. */
export const MiscDevice = {
  /** The misc character-device major (`/proc/devices`: "10 misc"). */
  MISC_MAJOR: 10,
  /** The devname alias minor reserved for device-mapper: opening c 10:236 autoloads dm-mod. */
  MAPPER_CTRL_MINOR: 236,
} as const;

/** File type bits of st_mode / mknod's mode (`<sys/stat.h>`). */
export const FileType = {
  S_IFMT: 0o170000,
  S_IFCHR: 0o020000,
  S_IFBLK: 0o060000,
} as const;

/** open(2) flags node:fs does not name (`<fcntl.h>`, Linux x86-64 and most ABIs). */
export const OpenFlag = {
  /** An fd that names an inode without opening it: fstat works, I/O does not (nodes are checked through it). */
  O_PATH: 0o10000000,
  O_NOFOLLOW: 0o400000,
} as const;
