/**
 * libdevmapper's dm_task_get_read_ahead, as `info` shows it: sysfs, else BLKRAGET on the device's
 * node (the handle's `<devDir>/mapper/<name>`), with libdm's error line when neither works (a device with no table has no
 * sysfs entry, and usually no node).
 */
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { getReadAhead, strerror, type DeviceInfo } from '../lib/index.js';

/**
 * The read-ahead of the device `info` describes, in sectors, or undefined after printing (through
 * `error`) why it could not be read. `node` is the device's node path (`dm.nodePath(info.name)`).
 */
export function readAheadOf(info: DeviceInfo, node: string, error: (line: string) => void): number | undefined {
  const dev = { major: info.major, minor: info.minor };
  const fromSysfs = getReadAhead(dev);
  if (fromSysfs !== undefined) return fromSysfs;
  const fromNode = getReadAhead(dev, node);
  if (fromNode !== undefined) return fromNode;
  // A missing node fails the open with ENOENT; a node of a device with no table with ENXIO.
  const errno = existsSync(node) ? constants.errno.ENXIO : constants.errno.ENOENT;
  error(`${node}: open failed: ${strerror(errno)}`);
  return undefined;
}
