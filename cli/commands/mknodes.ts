/**
 * `mknodes [<device>...]`: makes /dev/mapper match the kernel. Without devices: every device's node
 * is made or fixed and stale entries are removed; with devices: just those (made when the device
 * exists, removed when not). No output; exit 0, as dmsetup.
 */
import type { CommandSpec } from '../context.js';

export const mknodesCommand: CommandSpec = {
  name: 'mknodes',
  minArgs: 0,
  maxArgs: -1,
  run(context) {
    const dm = context.dm();
    const { uuid, major, minor } = context.options;
    let names: string[] | undefined = context.args.length > 0 ? context.args : undefined;
    if (!names && (uuid !== undefined || (major !== undefined && minor !== undefined))) {
      // -u / -j -m name one device: its node is made if it exists (nothing to remove otherwise).
      const device = uuid !== undefined ? { uuid } : { major: Number(major), minor: Number(minor) };
      const info = dm.tryInfo(device);
      names = info ? [info.name] : [];
    }
    dm.syncNodes(names);
  },
};
