/**
 * `suspend`, `resume` and `clear` `<device>...` (dmsetup's _simple): `--noflush` and `--nolockfs`
 * for suspend and resume, `--readahead` for resume, `-v` prints the info block after each device.
 * `clear` drops the inactive table.
 */
import type { DeviceId, DeviceInfo } from '../../lib/index.js';
import { CommandFailed, type CliContext, type CommandSpec } from '../context.js';
import { taskDevice } from '../device-arg.js';
import { displayInfo } from '../info-display.js';
import { readAheadSetting } from '../library-options.js';

type Action = 'suspend' | 'resume' | 'clear';

function simpleCommand(action: Action): CommandSpec {
  return {
    name: action,
    minArgs: 0,
    maxArgs: -1,
    repeatable: 2,
    async run(context) {
      const id = taskDevice(context, context.args[0]);
      const info = await act(context, action, id);
      if (context.options.verbose > 0 && !displayInfo(context, info)) throw new CommandFailed();
    },
  };
}

function act(context: CliContext, action: Action, id: DeviceId): DeviceInfo | Promise<DeviceInfo> {
  const { options } = context;
  const flush = { noFlush: context.noFlush, noLockfs: context.noLockfs };
  switch (action) {
    case 'suspend':
      return context.dm().suspendAsync(id, flush);
    case 'resume':
      return context.dm().resumeAsync(id, { ...flush, readAhead: readAheadSetting(options.readahead) });
    case 'clear':
      return context.dm().clear(id);
  }
}

export const suspendCommand = simpleCommand('suspend');
export const resumeCommand = simpleCommand('resume');
export const clearCommand = simpleCommand('clear');
