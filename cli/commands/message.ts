/**
 * `message <device> <sector> <message>...`: sends the words joined with single spaces to the
 * target at <sector> (or, for `@…` messages, to device-mapper itself) and prints the target's
 * reply, if any, with a newline added when it lacks one. With no message words dmsetup says
 * `No message supplied.` and still sends the empty message.
 *
 * --json prints `{"response": string | null}`.
 */
import { strtoull } from '../c-numbers.js';
import type { CommandSpec } from '../context.js';
import { hasUuidOrMajor, taskDevice } from '../device-arg.js';

export const messageCommand: CommandSpec = {
  name: 'message',
  minArgs: 2,
  maxArgs: -1,
  run(context) {
    let args = context.args;
    let name: string | undefined;
    if (!hasUuidOrMajor(context)) [name, ...args] = args;
    const id = taskDevice(context, name);
    const [sectorText = '', ...words] = args;
    const sector = strtoull(sectorText);
    if (sector.overflow || sector.end === 0 || sector.end !== sectorText.length) context.fail('Invalid sector.');
    if (words.length === 0) context.error('No message supplied.');
    const response = context.dm().message(id, sector.value, words.join(' '));
    if (context.options.json) {
      context.jsonSet('response', response ?? null);
      return;
    }
    if (response === undefined) return;
    context.stdout.write(response === '' || response.endsWith('\n') ? response : `${response}\n`);
  },
};
