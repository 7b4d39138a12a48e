/**
 * Finding and opening /dev/mapper/control. (This first version opens an existing node; creating
 * it from /proc/misc, autoloading dm-mod and the modprobe fallback come with the control-node work.)
 */
import { closeSync, openSync, constants } from 'node:fs';
import { join } from 'node:path';
import { DM_CONTROL_NODE, DM_DIR } from '../native-defs/index.js';
import { DmError } from './errors.js';
import { errnoName, strerror } from './errno.js';

export interface ControlOptions {
  /** The device directory (dmsetup's DM_DEV_DIR); default `$DM_DEV_DIR` or `/dev`. */
  devDir?: string | undefined;
}

/** The device directory: the option, else DM_DEV_DIR, else /dev. */
export function resolveDevDir(devDir?: string): string {
  return devDir ?? (process.env['DM_DEV_DIR'] || '/dev');
}

/** `<devDir>/mapper/control`. */
export function controlPath(devDir?: string): string {
  return join(resolveDevDir(devDir), DM_DIR, DM_CONTROL_NODE);
}

/** Opens the control node read-write and returns the fd. */
export function openControl(options: ControlOptions = {}): number {
  const path = controlPath(options.devDir);
  try {
    return openSync(path, constants.O_RDWR);
  } catch (error) {
    const errno = -((error as NodeJS.ErrnoException).errno ?? -5);
    throw new DmError(`${path}: open failed: ${strerror(errno)}`, {
      kind: 'no-driver',
      code: errnoName(errno),
      errno,
      hint: 'the device-mapper driver is not available (is dm-mod loaded? are you root?)',
      cause: error,
    });
  }
}

export function closeControl(fd: number): void {
  closeSync(fd);
}
