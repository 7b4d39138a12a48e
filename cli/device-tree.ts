/**
 * The whole device dependency tree, as dmsetup's _build_whole_deptree makes it for the tree report
 * fields and `ls --tree`: every listed device and, depth first, what its table uses.
 */
import { formatDev, type ListedDevice } from '../lib/index.js';
import type { CliContext } from './context.js';
import { DepTree } from './report/dep-tree.js';
import { reportError } from './report-error.js';

/** Builds the tree of `devices` (default: every device), a DEPS ioctl per device-mapper device. */
export function buildDepTree(context: CliContext, devices: readonly ListedDevice[] = context.dm().list()): DepTree {
  const isDm = new Set(devices.map((device) => formatDev(device)));
  return new DepTree(devices, (dev) => {
    if (!isDm.has(formatDev(dev))) return undefined;
    try {
      const { info, deps } = context.dm().deps({ major: dev.major, minor: dev.minor }, { inactive: Boolean(context.options.inactive) });
      return { name: info.name, info, deps };
    } catch (error) {
      reportError(context, error);
      return undefined;
    }
  });
}
