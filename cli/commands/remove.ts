/**
 * `remove [--deferred] [-f] [--retry] <device>...`, `remove_all [-f]` and `wipe_table <device>...`.
 *
 * remove: `--retry` tries 25 times, 200 ms apart, while the device is busy, printing the error
 * each time; `--deferred` removes a device in use once its last user closes it; `-f` first
 * replaces the table with an `error` target (wipe_table) so that users fail instead of hanging.
 * remove_all removes every unused device and re-syncs /dev/mapper; like dmsetup it succeeds even
 * when the REMOVE_ALL ioctl fails (after printing the error). wipe_table loads `0 <size> error`
 * and resumes (with -f without flushing), clearing the inactive table again if the resume fails.
 */
import { exactCount, tableSizeBig, type DeviceId } from '../../lib/index.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { reportError } from '../report-error.js';

export const removeCommand: CommandSpec = {
  name: 'remove',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 2,
  async run(context) {
    const [name] = context.args;
    if (context.options.force && name !== undefined) wipeTable(context, name);
    const id = taskDevice(context, name);
    await context.dm().removeAsync(id, {
      deferred: Boolean(context.options.deferred),
      retry: context.options.retry ? { onRetry: (error) => reportError(context, error) } : false,
    });
  },
};

export const removeAllCommand: CommandSpec = {
  name: 'remove_all',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    removeAllOnce(context);
    if (!context.options.force) return;
    const names = context.dm().list().map((device) => device.name);
    if (names.length === 0) return;
    for (const name of names) wipeTable(context, name);
    removeAllOnce(context);
    const left = context.dm().list().length;
    if (left > 0) context.error(`Unable to remove ${left} device(s).`);
  },
};

export const wipeTableCommand: CommandSpec = {
  name: 'wipe_table',
  minArgs: 0,
  maxArgs: -1,
  repeatable: 2,
  run(context) {
    const [name] = context.args;
    if (name === undefined) return context.fail('No device specified.');
    if (!wipeTable(context, name)) throw new CommandFailed();
  },
};

/** REMOVE_ALL then a /dev/mapper sync (dmsetup's dm_mknodes(NULL)); errors are printed, not fatal. */
function removeAllOnce(context: CliContext): void {
  try {
    context.dm().removeAll({ deferred: Boolean(context.options.deferred) });
  } catch (error) {
    reportError(context, error);
  }
  try {
    context.dm().syncNodes();
  } catch (error) {
    // dmsetup ORs dm_mknodes' result into remove_all's, which stays a success: print, go on.
    reportError(context, error);
  }
}

/**
 * dmsetup's _error_device: the table's size, an `error` table of that size, resume (with -f
 * without flush or lockfs), or clear when the resume fails. Prints each failure; returns success.
 */
function wipeTable(context: CliContext, name: string): boolean {
  const { options } = context;
  const step = <T>(action: () => T): T | undefined => {
    try {
      return action();
    } catch (error) {
      if (!(error instanceof CommandFailed)) reportError(context, error);
      return undefined;
    }
  };
  const id: DeviceId | undefined = step(() => taskDevice(context, name));
  if (!id) return false;
  const table = step(() => context.dm().table(id, { inactive: Boolean(options.inactive) }));
  const size = table ? exactCount(tableSizeBig(table.rows)) : 0;
  for (const row of table?.rows ?? []) row.secret?.dispose();
  const loaded = step(() =>
    context.dm().load(id, [{ start: 0, length: size, type: 'error', params: '' }], {
      readOnly: Boolean(options.readonly),
      validate: false,
    }),
  );
  if (!loaded) return false;
  // "Avoid hang on flushing with --force": from here on, as in dmsetup, for the whole run.
  if (options.force) context.noFlush = context.noLockfs = true;
  const resumed = step(() => context.dm().resume(id, { noFlush: context.noFlush, noLockfs: context.noLockfs }));
  if (!resumed) {
    step(() => context.dm().clear(id));
    return false;
  }
  return true;
}
