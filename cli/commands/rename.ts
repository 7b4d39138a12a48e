/**
 * `rename <device> <new_name>` and `rename <device> --setuuid <new_uuid>` (with -u or -j/-m the
 * device argument is left out). The new name may not contain `/`, be empty or take 128 bytes or
 * more; a device that has a uuid cannot get another one (the kernel says EINVAL).
 */
import { MAX_NAME_BYTES, MAX_UUID_BYTES } from '../../lib/index.js';
import type { CommandSpec } from '../context.js';
import { checkMangling, taskDevice } from '../device-arg.js';

export const renameCommand: CommandSpec = {
  name: 'rename',
  minArgs: 1,
  maxArgs: 2,
  run(context) {
    const { args } = context;
    const id = taskDevice(context, args.length === 2 ? args[0] : undefined);
    const target = args[args.length - 1]!;
    if (context.options.setuuid) {
      if (Buffer.byteLength(target) > MAX_UUID_BYTES) context.fail(`Uuid "${target}" too long`);
      checkMangling(context, target, 'new UUID');
      context.dm().setUuid(id, target);
      return;
    }
    if (target.includes('/')) context.fail(`Name "${target}" invalid. It contains "/".`);
    if (Buffer.byteLength(target) > MAX_NAME_BYTES) context.fail(`Name "${target}" too long`);
    if (target === '') context.fail('Non empty new name is required.');
    checkMangling(context, target, 'new name');
    context.dm().rename(id, target);
  },
};
