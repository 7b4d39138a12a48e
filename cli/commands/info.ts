/**
 * `info [<device>...]`: each device's state, as dmsetup's block (ending with a blank line) or,
 * with -c/-C/--columns, as a report row. No argument (and no -u/-j): every device.
 *
 * --json prints `{"devices": [DeviceInfo & {readAhead: number | null}, ...]}`: name, uuid, major,
 * minor, openCount, eventNr, targetCount, suspended, readOnly, liveTable, inactiveTable,
 * deferredRemove, internalSuspend, readAhead (sectors; null when unknown).
 */
import { isDmError, type DeviceId, type DeviceInfo } from '../../lib/index.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { namedOrEveryDevice } from '../each-device.js';
import { displayInfo, infoJson } from '../info-display.js';
import { readAheadOf } from '../read-ahead.js';

export const infoCommand: CommandSpec = {
  name: 'info',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 1,
  async run(context) {
    if (context.options.json) context.json ??= { devices: [] };
    await namedOrEveryDevice(context, (name) => infoOne(context, name));
  },
};

function infoOne(context: CliContext, name: string | undefined): void {
  const id = taskDevice(context, name);
  const info = queryInfo(context, id);
  if (!info) return context.fail('Device does not exist.');
  if (context.options.json) {
    // readAhead: null says what the error line would; stderr stays for the command's errors.
    context.jsonItem('devices', infoJson(info, readAheadOf(info, () => {})));
    return;
  }
  if (!displayInfo(context, info)) throw new CommandFailed();
}

/** DEV_STATUS; undefined for ENXIO, which libdm does not count as an error for info. */
function queryInfo(context: CliContext, id: DeviceId): DeviceInfo | undefined {
  try {
    return context.dm().info(id, { inactive: Boolean(context.options.inactive) });
  } catch (error) {
    if (isDmError(error, 'ENXIO')) return undefined;
    throw error;
  }
}
