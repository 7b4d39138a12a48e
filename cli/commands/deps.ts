/**
 * `deps [-o devno|devname|blkdevname] [<device>...]`: the devices each table uses,
 * `N dependencies\t: (MAJ, MIN) …` (`NAME: ` first when several devices are shown), or with -o
 * their kernel names (`(loop0)`) or device-mapper names. `-v` adds the info block.
 *
 * --json prints `{"devices": [{"name": string, "deps": [{"major", "minor", "name"?}]}]}` (name as
 * `-o` asks, when it can be found).
 */
import { blockDeviceName, type DevNumber } from '../../lib/index.js';
import type { CliContext, CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { namedOrEveryDevice } from '../each-device.js';
import { formatDepsLine } from '../format.js';
import { displayInfo } from '../info-display.js';

export const depsCommand: CommandSpec = {
  name: 'deps',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 2,
  async run(context) {
    if (context.options.json) context.json ??= { devices: [] };
    await namedOrEveryDevice(context, (name) => depsOne(context, name));
  },
};

function depsOne(context: CliContext, name: string | undefined): void {
  const id = taskDevice(context, name);
  const { info, deps } = context.dm().deps(id, { inactive: Boolean(context.options.inactive) });
  const names = deps.map((dev) => depName(context, dev));
  const shownName = name ?? info.name;
  if (context.options.json) {
    context.jsonItem('devices', {
      name: shownName,
      deps: deps.map((dev, index) => (names[index] !== undefined ? { ...dev, name: names[index] } : { ...dev })),
    });
    return;
  }
  const verbose = context.options.verbose > 0;
  if (verbose) displayInfo(context, info);
  context.print(formatDepsLine(context.multipleDevices && !verbose ? shownName : undefined, deps, names));
  if (context.multipleDevices && verbose) context.print('');
}

/** A dependency's name for `-o blkdevname|devname`, undefined for devno or when sysfs does not know it. */
function depName(context: CliContext, dev: DevNumber): string | undefined {
  if (context.devNameType === 'devno') return undefined;
  return blockDeviceName(dev, context.devNameType === 'blkdevname');
}
