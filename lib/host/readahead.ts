/**
 * A device's read-ahead, in 512-byte sectors: read and set through sysfs
 * (`/sys/dev/block/M:m/bdi/read_ahead_kb`), or with BLKRAGET/BLKRASET on the block node when sysfs
 * is not there, as libdevmapper does.
 */
import { closeSync, openSync, readFileSync, writeFileSync, constants } from 'node:fs';
import { BlockIoctl } from '../../native-defs/index.js';
import type { DevNumber } from '../device/devt.js';
import { DmError } from '../errors.js';
import { errnoName, errnoOf, strerror } from '../sys/errno.js';
import { libc } from '../sys/libc.js';
import * as check from '../arguments/checks.js';

function sysfsPath({ major, minor }: DevNumber): string {
  return `/sys/dev/block/${major}:${minor}/bdi/read_ahead_kb`;
}

/**
 * The read-ahead of device `dev` in sectors, or undefined when neither sysfs nor the node
 * (`nodePath`, if given) can tell.
 */
export function getReadAhead(dev: DevNumber, nodePath?: string): number | undefined {
  check.devNumber(dev, 'Argument 1 of getReadAhead()');
  try {
    return Number.parseInt(readFileSync(sysfsPath(dev), 'utf8'), 10) * 2;
  } catch {
    // no sysfs: ask the block device itself
  }
  if (!nodePath) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(nodePath, constants.O_RDONLY);
    const value = Buffer.alloc(8);
    if (libc().ioctl(fd, BlockIoctl.BLKRAGET, value) < 0) return undefined;
    return Number(value.readBigInt64LE(0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Sets the read-ahead of device `dev` to `sectors` (rounded up to whole KiB, as the kernel keeps KiB). */
export function setReadAhead(dev: DevNumber, sectors: number, nodePath?: string): void {
  check.devNumber(dev, 'Argument 1 of setReadAhead()');
  try {
    writeFileSync(sysfsPath(dev), `${Math.ceil(sectors / 2)}\n`);
    return;
  } catch (error) {
    if (!nodePath) throw readAheadError(dev, error);
  }
  let fd: number | undefined;
  try {
    fd = openSync(nodePath, constants.O_RDONLY);
    if (libc().ioctlValue(fd, BlockIoctl.BLKRASET, sectors) < 0) {
      const errno = libc().errno();
      throw new DmError(`${nodePath}: BLKRASET failed: ${strerror(errno)}`, { kind: 'node', code: errnoName(errno), errno });
    }
  } catch (error) {
    throw error instanceof DmError ? error : readAheadError(dev, error);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readAheadError(dev: DevNumber, error: unknown): DmError {
  const errno = errnoOf(error);
  return new DmError(`Cannot set the read-ahead of ${dev.major}:${dev.minor}: ${strerror(errno)}`, {
    kind: 'node',
    code: errnoName(errno),
    errno,
    cause: error,
  });
}

/**
 * A read-ahead request: `auto` leaves the kernel's choice, `none` sets 0, a number sets that many
 * sectors, `{ atLeast }` (dmsetup's `+N`) raises it to N only if it is lower.
 */
export type ReadAheadSetting = 'auto' | 'none' | number | { atLeast: number };

/** Applies `setting` to device `dev` (after resume, as libdevmapper does). */
export function applyReadAhead(dev: DevNumber, setting: ReadAheadSetting, nodePath?: string): void {
  if (setting === 'auto') return;
  if (setting === 'none') return setReadAhead(dev, 0, nodePath);
  if (typeof setting === 'number') return setReadAhead(dev, setting, nodePath);
  const current = getReadAhead(dev, nodePath);
  if (current !== undefined && current >= setting.atLeast) return;
  setReadAhead(dev, setting.atLeast, nodePath);
}
