/**
 * `ls --exec "CMD ARGS"`: dmsetup's _exec_command. Makes sure the device's /dev/mapper node is
 * there (as dm_mknodes(name)), then runs CMD with its white-space separated ARGS and the node's
 * path appended, on our stdin, stdout and stderr, waits for it, and ignores how it ended.
 */
import { spawnSync } from 'node:child_process';
import type { CliContext } from './context.js';

/** dmsetup's ARGS_MAX: the command and its arguments, the node path not included, stay below this. */
const ARGS_MAX = 256;

/** Runs the --exec command for device `name`. Returns false (dmsetup's failure) when it cannot be run. */
export function execForDevice(context: CliContext, name: string): boolean {
  const words = (context.options.exec ?? '').split(/[ \t\n\v\f\r]+/).filter(Boolean);
  if (words.length === 0) return false;
  if (words.length >= ARGS_MAX) {
    context.error('Too many args to --exec.');
    return false;
  }
  context.dm().syncNodes([name]);
  const [file, ...args] = words as [string, ...string[]];
  // The child writes straight to our stdout and stderr, as dmsetup's forked child does.
  spawnSync(file, [...args, context.nodePath(name)], { stdio: ['inherit', 'inherit', 'inherit'] });
  return true;
}
