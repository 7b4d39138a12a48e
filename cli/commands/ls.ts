/**
 * `ls`: every device as `NAME\t(MAJ:MIN)` (or `NAME\t(dm-0)` / `NAME\t(name)` with
 * `-o blkdevname|devname`), `No devices found` when there are none. `--target T` lists the
 * devices with a T target as `NAME\t(MAJ, MIN)`; `--exec CMD` runs CMD for each device.
 *
 * --json prints `{"devices": [{"name", "major", "minor", "eventNr"?, "uuid"?}]}` (event number and
 * uuid when the kernel lists them, 4.37+ and 4.45+); with --target `{"devices": [{"name", "major",
 * "minor"}]}`. `--tree` draws what uses what (`-o` tree words: [no]device, blkdevname, active,
 * open, rw, uuid, ascii|utf|vt100, compact, inverted, notrunc); with --json `{"tree": [node]}`, each node
 * `{name (null when not DM), major, minor, uuid?, suspended?, readOnly?, openCount?, children}`.
 */
import { blockDeviceName, type ListedDevice } from '../../lib/index.js';
import type { CliContext, CommandSpec } from '../context.js';
import { buildDepTree } from '../device-tree.js';
import { formatLsLine } from '../format.js';
import { treeJson } from '../tree-json.js';
import { drawTree, treeWidth, type TreeOptions } from '../tree-view.js';
import { showTargets } from './table-status.js';

export const lsCommand: CommandSpec = {
  name: 'ls',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    const { options } = context;
    if (options.target !== undefined || options.exec !== undefined) return showTargets(context, 'ls');
    if (context.treeOptions) return showTree(context, context.treeOptions);
    const devices = context.dm().list();
    if (options.json) {
      // Field by field, so the document keeps its schema (cli/json-schemas.ts).
      const listed = ({ name, major, minor, eventNr, uuid }: ListedDevice): object => ({ name, major, minor, ...(eventNr !== undefined && { eventNr }), ...(uuid !== undefined && { uuid }) });
      context.jsonSet('devices', devices.map(listed));
      return;
    }
    if (devices.length === 0) context.print('No devices found');
    for (const device of devices) context.print(formatLsLine(device.name, device, shownDevName(context, device)));
  },
};

/** dmsetup's _display_tree: `No devices found` when there are none, else the tree (--json: `{"tree": [...]}`). */
function showTree(context: CliContext, tree: TreeOptions): void {
  const devices = context.dm().list();
  if (devices.length === 0) {
    if (context.options.json) context.jsonSet('tree', []);
    else context.print('No devices found');
    return;
  }
  const deps = buildDepTree(context, devices);
  if (context.options.json) {
    context.jsonSet('tree', treeJson(deps, tree.inverted));
    return;
  }
  const columns = context.stdout === process.stdout && process.stdout.isTTY ? process.stdout.columns : undefined;
  context.stdout.write(drawTree(deps, tree, treeWidth(tree, columns), (node) => blockDeviceName(node, true)));
}

/** The `(…)` of an ls line for -o blkdevname (kernel name) or devname (DM name); undefined for devno. */
function shownDevName(context: CliContext, device: ListedDevice): string | undefined {
  if (context.devNameType === 'devno') return undefined;
  return blockDeviceName(device, context.devNameType === 'blkdevname');
}
