/**
 * `wait <device> [<event_nr>]`: blocks until the device's event counter differs from <event_nr>
 * (default 0), then with -v prints the info block (--json: `{"devices": [info]}`, as `info --json`,
 * with the event number reached). `--noflush` and `--inactive` pass through.
 */
import { atoi } from '../c-numbers.js';
import { CommandFailed, type CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';
import { displayInfo, infoJson } from '../info-display.js';
import { readAheadOf } from '../read-ahead.js';

export const waitCommand: CommandSpec = {
  name: 'wait',
  minArgs: 0,
  maxArgs: 2,
  run(context) {
    let args = context.args;
    let name: string | undefined;
    if (!hasUuidOrMajor(context)) {
      if (args.length === 0) context.fail('No device specified.');
      [name, ...args] = args;
    }
    const id = taskDevice(context, name);
    // dmsetup: (uint32_t) atoi(last argument).
    const eventNr = args.length > 0 ? atoi(args[args.length - 1]!) >>> 0 : 0;
    // The blocking DEV_WAIT, as dmsetup: its errors name the waitevent ioctl (the async form looks
    // with DEV_STATUS first), and a CLI has nothing else to run meanwhile.
    const { info } = context.dm().waitEvent(id, eventNr, {
      noFlush: context.noFlush,
      inactive: Boolean(context.options.inactive),
    });
    if (context.options.json) context.jsonItem('devices', infoJson(info, readAheadOf(info, context.nodePath(info.name), () => {})));
    else if (context.options.verbose > 0 && !displayInfo(context, info)) throw new CommandFailed();
  },
};
