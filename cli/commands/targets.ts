/**
 * `targets` (every target type the kernel has loaded) and `target-version <target>...`, one
 * `name             v1.4.0` line each (name padded to 16). An unknown target fails with the
 * ioctl's EINVAL line.
 *
 * --json prints `{"targets": [{"name": string, "version": "1.4.0"}]}`.
 */
import type { TargetVersion } from '../../lib/index.js';
import type { CliContext, CommandSpec } from '../context.js';
import { checkedName } from '../device-arg.js';
import { formatTargetVersion } from '../format.js';

export const targetsCommand: CommandSpec = {
  name: 'targets',
  minArgs: 0,
  maxArgs: 0,
  run(context) {
    if (context.options.json) context.json ??= { targets: [] };
    for (const target of context.dm().targets()) show(context, target);
  },
};

export const targetVersionCommand: CommandSpec = {
  name: 'target-version',
  minArgs: 1,
  maxArgs: -1,
  repeatable: 1,
  run(context) {
    if (context.options.json) context.json ??= { targets: [] };
    // dmsetup puts the target's name where a device name goes, with the same checks.
    const type = checkedName(context, context.args[0]!);
    show(context, context.dm().targetVersion(type));
  },
};

function show(context: CliContext, target: TargetVersion): void {
  if (context.options.json) context.jsonItem('targets', { name: target.name, version: target.version.join('.') });
  else context.print(formatTargetVersion(target));
}
