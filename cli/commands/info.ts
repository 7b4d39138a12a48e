/**
 * `info [<device>...]`: each device's state, as dmsetup's block (ending with a blank line) or,
 * with -c/-C/--columns, as a report row. No argument (and no -u/-j): every device.
 *
 * --json prints `{"devices": [DeviceInfo & {readAhead: number | null}, ...]}`: name, uuid, major,
 * minor, openCount, eventNr, targetCount, suspended, readOnly, liveTable, inactiveTable,
 * deferredRemove, internalSuspend, readAhead (sectors; null when unknown); `-S` picks the devices.
 * With -c, `{"report": [{field: value, ...}]}`: the -o fields (-O sorts, -S selects) as the report shows them.
 * With `-S`, a command that picks devices by selection (remove, table, …) runs as `info -c` that
 * runs that command for each device selected.
 */
import { isDmError, type DeviceId, type DeviceInfo } from '../../lib/index.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { namedOrEveryDevice } from '../each-device.js';
import { displayInfo, infoJson, reportRowValues } from '../info-display.js';
import { readAheadOf } from '../read-ahead.js';

export const infoCommand: CommandSpec = {
  name: 'info',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 1,
  async run(context) {
    if (context.options.json && !context.columns) context.json ??= { devices: [] };
    await namedOrEveryDevice(context, (name) => infoOne(context, name));
  },
};

async function infoOne(context: CliContext, name: string | undefined): Promise<void> {
  const id = taskDevice(context, name);
  const info = queryInfo(context, id);
  if (!info) return context.fail('Device does not exist.');
  if (context.selectionCommand) return runIfSelected(context, context.selectionCommand, info);
  if (context.options.json && !context.columns) {
    if (context.report && !selected(context, info)) return;
    // readAhead: null says what the error line would; stderr stays for the command's errors.
    context.jsonItem('devices', infoJson(info, readAheadOf(info, context.nodePath(info.name), () => {})));
    return;
  }
  if (!displayInfo(context, info)) throw new CommandFailed();
}

/** Whether the device passes -S (its row is computed, not shown). Fails when a field cannot be had. */
function selected(context: CliContext, info: DeviceInfo): boolean {
  const values = reportRowValues(context, info);
  if (!values) throw new CommandFailed();
  return context.report!.selects(values);
}

/**
 * dmsetup's _display_info_cols with a _selection_cmd: a selected device runs the real command,
 * with the device's name as its one argument and multiple_devices set (so `table -S …` prefixes
 * lines with `NAME: `).
 */
async function runIfSelected(context: CliContext, command: CommandSpec, info: DeviceInfo): Promise<void> {
  if (!selected(context, info)) return;
  const { args, multipleDevices } = context;
  context.args = [info.name];
  context.multipleDevices = true;
  try {
    await command.run(context);
  } finally {
    context.args = args;
    context.multipleDevices = multipleDevices;
  }
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
