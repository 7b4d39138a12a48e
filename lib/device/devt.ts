/**
 * Device numbers. The kernel's dm_ioctl carries a "huge"-encoded dev_t (minor bits 0-7, major bits
 * 8-19, minor bits 8-19 at bits 20-31); glibc's dev_t (stat, mknod) has its own 64-bit layout.
 */
import { invalidArgument } from '../errors.js';
import type { DevNumber } from './device-id.js';

export type { DevNumber } from './device-id.js';

/** Checks a device number: both parts whole numbers within the kernel's 12-bit major, 20-bit minor. */
export function validateDevNumber(major: number, minor: number): void {
  if (!Number.isInteger(major) || major < 0 || major > 0xfff) {
    throw invalidArgument(`The major number ${major} is out of range (0 to 4095)`);
  }
  if (!Number.isInteger(minor) || minor < 0 || minor > 0xfffff) {
    throw invalidArgument(`The minor number ${minor} is out of range (0 to 1048575)`);
  }
}

/**
 * Encodes major:minor the way the kernel's dm_ioctl.dev expects (huge_encode_dev). Refuses
 * numbers outside the 12-bit major and 20-bit minor: the kernel decodes only 32 bits, so larger
 * ones would silently address another device.
 */
export function encodeKernelDev({ major, minor }: DevNumber): bigint {
  validateDevNumber(major, minor);
  return BigInt((minor & 0xff) | (major << 8)) | (BigInt(minor & ~0xff) << 12n);
}

/** Decodes a dm_ioctl / dm_name_list / dm_target_deps dev_t. */
export function decodeKernelDev(dev: bigint): DevNumber {
  const low = Number(dev & 0xffffffffn);
  return { major: (low & 0xfff00) >>> 8, minor: (low & 0xff) | ((low >>> 12) & 0xfff00) };
}

/** glibc's makedev(): the dev_t that mknod(2) takes and stat(2) returns. */
export function glibcMakedev({ major, minor }: DevNumber): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return (
    ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn)
  );
}

/** Splits glibc's dev_t (node's `Stats.rdev`) into major:minor. */
export function glibcSplitDev(rdev: number | bigint): DevNumber {
  const dev = BigInt(rdev);
  return {
    major: Number(((dev >> 32n) & 0xfffff000n) | ((dev >> 8n) & 0xfffn)),
    minor: Number(((dev >> 12n) & 0xffffff00n) | (dev & 0xffn)),
  };
}

/** A device number as dmsetup and the kernel's tables write it: `253:0`. */
export function formatDev(dev: DevNumber): string {
  if (dev === null || typeof dev !== 'object') throw invalidArgument(`formatDev needs a device number { major, minor }, not ${String(dev)}`);
  return `${dev.major}:${dev.minor}`;
}

export function sameDev(a: DevNumber, b: DevNumber): boolean {
  return a.major === b.major && a.minor === b.minor;
}
