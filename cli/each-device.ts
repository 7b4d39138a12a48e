/**
 * dmsetup's _process_all: a command without device arguments runs for every device the kernel
 * lists, in its order, carrying on past a device that fails.
 */
import type { ListedDevice } from '../lib/index.js';
import { CommandFailed, type CliContext } from './context.js';
import { hasUuidOrMajor } from './device-arg.js';
import { reportError } from './report-error.js';

/**
 * Runs `visit` for each device (with multiple_devices set); prints `No devices found` (stdout)
 * when there are none, unless `silent` or --json. A failing device prints its error and the
 * others still run; then the command fails.
 */
export async function forEachDevice(
  context: CliContext,
  visit: (device: ListedDevice) => void | Promise<void>,
  silent = false,
): Promise<void> {
  const devices = context.dm().list();
  if (devices.length === 0) {
    if (!silent && !context.options.json) context.print('No devices found');
    return;
  }
  const saved = context.multipleDevices;
  context.multipleDevices = true;
  let failed = false;
  try {
    for (const device of devices) {
      try {
        await visit(device);
      } catch (error) {
        if (!(error instanceof CommandFailed)) reportError(context, error);
        failed = true;
      }
    }
  } finally {
    context.multipleDevices = saved;
  }
  if (failed) throw new CommandFailed();
}

/**
 * A command of one device: the one its argument (or -u / -j -m) names, or with none given, every
 * device in turn, as forEachDevice does.
 */
export async function namedOrEveryDevice(context: CliContext, act: (name: string | undefined) => void | Promise<void>): Promise<void> {
  const [name] = context.args;
  if (name === undefined && !hasUuidOrMajor(context)) return forEachDevice(context, (device) => act(device.name));
  await act(name);
}
