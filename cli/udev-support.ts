/**
 * dmsetup's `dm_udev_get_sync_support()` for the udev commands, checked once per run in libdm's
 * order: System V semaphores, udev running, DM_DISABLE_UDEV, then the driver's interface (4.15+
 * knows cookies: libdm asks DM_VERSION even when udev does not run), then --noudevsync. Prints
 * libdm's warnings and errors on the way, as libdm logs them.
 *
 * Imports only the control node and udev modules, not the library: these commands run from udev
 * rules on every device event and must start fast.
 */
import { closeSync } from 'node:fs';
import { DM_VERSION_MAJOR, DmIoctlLayout, DmRequest } from '../native-defs/index.js';
import { DmError } from '../lib/errors.js';
import { openControl } from '../lib/host/control.js';
import { libc } from '../lib/sys/libc.js';
import { DISABLED_WHILE_RUNNING, NO_SEMAPHORES, semaphoresSupported, udevDisabledByEnv, udevRunning } from '../lib/udev/policy.js';
import type { BaseContext } from './base-context.js';
import { libraryVersionString } from './version.js';

/** The driver's interface version, or undefined after printing libdm's lines for a missing driver. */
function driverVersion(context: BaseContext): [number, number, number] | undefined {
  let fd: number;
  try {
    fd = openControl(process.env['DM_DEV_DIR'] ? { devDir: process.env['DM_DEV_DIR'] } : {});
  } catch (error) {
    if (!(error instanceof DmError)) throw error;
    context.error(error.summary);
    context.error('Failure to communicate with kernel device-mapper driver.');
    if (process.geteuid?.() === 0) context.error('Check that device-mapper is available in the kernel.');
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(DmIoctlLayout.size);
    buffer.writeUInt32LE(DM_VERSION_MAJOR, DmIoctlLayout.version);
    buffer.writeUInt32LE(DmIoctlLayout.size, DmIoctlLayout.data_size);
    buffer.writeUInt32LE(DmIoctlLayout.size, DmIoctlLayout.data_start);
    if (libc().ioctl(fd, DmRequest.VERSION, buffer) < 0) return undefined;
    return [buffer.readUInt32LE(0), buffer.readUInt32LE(4), buffer.readUInt32LE(8)];
  } finally {
    closeSync(fd);
  }
}

/** Whether udev synchronisation is active for this run (libdm's dm_udev_get_sync_support). */
export function udevSyncActive(context: BaseContext): boolean {
  const semaphores = semaphoresSupported();
  if (!semaphores) context.error(NO_SEMAPHORES);
  const running = udevRunning();
  const disabled = udevDisabledByEnv();
  if (disabled && running) context.error(DISABLED_WHILE_RUNNING);
  if (disabled || !semaphores) return false;
  const version = driverVersion(context);
  if (!version) {
    context.error(`Incompatible libdevmapper ${libraryVersionString()} and kernel driver (unknown version).`);
    return false;
  }
  const [major, minor] = version;
  if (!(major === 4 ? minor >= 15 : major > 4)) return false;
  return running && !context.options.noudevsync;
}
