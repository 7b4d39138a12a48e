/**
 * `setgeometry <device> <cyl> <head> <sect> <start>`: sends the four values as one string, as
 * dmsetup does; the kernel checks them (cylinders ≤ 65535, heads and sectors ≤ 255).
 */
import type { CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';

export const setGeometryCommand: CommandSpec = {
  name: 'setgeometry',
  minArgs: 5,
  maxArgs: 5,
  run(context) {
    let args = context.args;
    let name: string | undefined;
    if (!hasUuidOrMajor(context)) [name, ...args] = args;
    const id = taskDevice(context, name);
    context.dm().setGeometryText(id, args.slice(0, 4).join(' '));
  },
};
