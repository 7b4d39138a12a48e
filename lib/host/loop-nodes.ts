/**
 * /dev/loop-control and /dev/loopN: used as they are, made when missing (a bare tmpfs /dev, a
 * container). devtmpfs normally makes them; losetup would fail instead. The numbers come from the
 * kernel (/proc/misc, /sys/block/loopN/dev), not from assumptions: with max_part a loop device's
 * minor is N << part_shift.
 */
import { chmodSync, lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { FileType, LoopNode } from '../../native-defs/index.js';
import { glibcMakedev, type DevNumber } from '../device/devt.js';
import { DmError } from '../errors.js';
import { errnoName, errnoOf, strerror } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import { readMiscMajor } from './control.js';

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw nodeError(`${path}: lstat failed: ${(error as Error).message}`, errnoOf(error), error);
  }
}

function nodeError(message: string, errno: number, cause?: unknown): DmError {
  return new DmError(message, { kind: 'loop', code: errnoName(errno), errno, cause });
}

/** mknod with root-only permissions, as devtmpfs makes them (udev later adds group disk). */
function makeNode(path: string, type: number, dev: DevNumber): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  if (libc().mknod(path, type | 0o600, glibcMakedev(dev)) !== 0) {
    const errno = libc().errno();
    if (errno === 17 /* EEXIST: made by devtmpfs or another process meanwhile */) return;
    throw nodeError(`${path}: mknod failed: ${strerror(errno)}`, errno);
  }
  chmodSync(path, 0o600); // whatever the umask
}

/** loop-control's misc minor from /proc/misc (`237 loop-control`), else the module's fixed one. */
function loopControlMinor(procMisc = '/proc/misc'): number {
  let text = '';
  try {
    text = readFileSync(procMisc, 'utf8');
  } catch {
    // no procfs: the fixed minor, which is what the loop module registers
  }
  const match = /^\s*(\d+)\s+loop-control\s*$/m.exec(text);
  return match ? Number(match[1]) : LoopNode.LOOP_CTRL_MINOR;
}

/**
 * `<devDir>/loop-control`, made as c 10:237 when missing. Opening it then makes the kernel load
 * the loop module if it is not loaded (the module's devname alias).
 */
export function loopControlNode(devDir: string): string {
  const path = join(devDir, LoopNode.LOOP_CONTROL_NODE);
  if (!exists(path)) makeNode(path, FileType.S_IFCHR, { major: readMiscMajor(), minor: loopControlMinor() });
  return path;
}

/**
 * `<devDir>/loopN`, made with the number sysfs gives when missing. When sysfs does not know the
 * device either (removed meanwhile), the path is returned as it is and opening it fails.
 */
export function loopNode(index: number, devDir: string): string {
  const path = join(devDir, `loop${index}`);
  if (exists(path)) return path;
  let numbers: string;
  try {
    numbers = readFileSync(`/sys/block/loop${index}/dev`, 'utf8');
  } catch {
    return path;
  }
  const match = /^(\d+):(\d+)\s*$/.exec(numbers);
  if (!match) throw nodeError(`/sys/block/loop${index}/dev says ${JSON.stringify(numbers)}, not major:minor`, 5);
  makeNode(path, FileType.S_IFBLK, { major: Number(match[1]), minor: Number(match[2]) });
  return path;
}
