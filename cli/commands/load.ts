/**
 * `load|reload <device> [<table_file>]`: loads a table (from --table, the file or stdin) into the
 * device's inactive slot; `resume` makes it live. `-r` loads it read-only, `-v` prints the info
 * block afterwards. With -u or -j/-m the only argument is the table file.
 */
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';
import { displayInfo } from '../info-display.js';
import { readTable } from '../table-source.js';

function loadCommand(name: 'load' | 'reload'): CommandSpec {
  return { name, minArgs: 0, maxArgs: 2, run: load };
}

export const loadCommandSpec = loadCommand('load');
export const reloadCommandSpec = loadCommand('reload');

/** dmsetup's _load. */
function load(context: CliContext): void {
  const { options } = context;
  if (options.notable) context.fail('--notable only available when creating new device.');
  let args = context.args;
  let name: string | undefined;
  if (!hasUuidOrMajor(context)) {
    if (args.length === 0) context.fail('Please specify device.');
    [name, ...args] = args;
  } else if (args.length > 1) {
    context.fail('Too many command line arguments.');
  }
  const id = taskDevice(context, name);
  const rows = readTable(context, args[0]);
  const info = context.dm().load(id, rows, { readOnly: Boolean(options.readonly), validate: false });
  if (options.verbose > 0 && !displayInfo(context, info)) throw new CommandFailed();
}
