/** The stats switches (dmsetup's stats options land in CliOptions.other), read by the stats commands. */
import type { CliContext } from './context.js';

/** A stats switch: its value, or true for a flag, or undefined when not given. */
export function opt(context: CliContext, name: string): string | true | undefined {
  return context.options.other[name];
}

/** A stats switch's value as text (undefined when not given). */
export function optText(context: CliContext, name: string): string | undefined {
  const value = opt(context, name);
  return value === undefined ? undefined : String(value);
}
