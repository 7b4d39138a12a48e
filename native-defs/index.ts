/** The kernel and libc ABI the library stands on, as data. See the files for each part. */
export * from './dm-ioctl.js';
export * from './structs.js';
export * from './libc.js';
export * from './udev.js';
export * from './sysv-sem.js';
export * from './netlink.js';
export * from './signal.js';
export * from './loop.js';
export * from './errno.js';
