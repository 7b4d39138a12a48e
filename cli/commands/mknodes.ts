/**
 * `mknodes [<device>...]`: makes /dev/mapper match the kernel. Without devices: every device's node
 * is made or fixed and stale entries are removed; with devices (names, or one by -u / -j -m): just
 * those (made when the device exists, removed when not). No output; exit 0, as dmsetup.
 */
import type { CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';

export const mknodesCommand: CommandSpec = {
  name: 'mknodes',
  minArgs: 0,
  maxArgs: -1,
  run(context) {
    const dm = context.dm();
    let names: string[] | undefined = context.args.length > 0 ? context.args : undefined;
    if (!names && hasUuidOrMajor(context)) {
      // Named by -u or -j/-m: its node is made if it exists (there is no name to remove otherwise).
      const info = dm.tryInfo(taskDevice(context, undefined));
      names = info ? [info.name] : [];
    }
    dm.syncNodes(names);
  },
};
