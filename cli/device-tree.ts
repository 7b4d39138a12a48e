/**
 * The whole device dependency tree, as dmsetup's _build_whole_deptree makes it for the tree report
 * fields and `ls --tree`: the library's tree (lib/tree) of every listed device, in the shape
 * dmsetup's tree code walks (cli/report/dep-tree.ts: libdm's root links and link order).
 */
import { buildTree, type ListedDevice } from '../lib/index.js';
import type { CliContext } from './context.js';
import { DepTree } from './report/dep-tree.js';
import { reportError } from './report-error.js';

/** Builds the tree of `devices` (default: every device), a DEPS ioctl per device-mapper device. */
export function buildDepTree(context: CliContext, devices: readonly ListedDevice[] = context.dm().list()): DepTree {
  const tree = buildTree(context.dm(), {
    devices,
    inactive: Boolean(context.options.inactive),
    kernelNames: false,
    onError: (error) => reportError(context, error),
  });
  return new DepTree(devices, (dev) => {
    const node = tree.find(dev);
    return node?.info ? { name: node.name, info: node.info, deps: node.deps } : undefined;
  });
}
