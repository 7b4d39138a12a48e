/**
 * dmsetup's use of libdm's name mangling (lib/names): the mode of a run (`--manglename`, else
 * DM_DEFAULT_NAME_MANGLING_MODE, else auto; `mangle` runs its lookups in none), the checks libdm's
 * setters make before any ioctl, and the MangledName/UnmangledName report fields
 * (dm_task_get_name_mangled and _unmangled).
 */
// Single modules, not the lib/index.js barrel: kernel-free commands must not load the library.
import { mangleString, nameManglingFromEnv, parseNameMangling, unmangleString, type MangledWhat, type NameMangling } from '../lib/names/mangle.js';
import { NameCodec } from '../lib/names/name-codec.js';
import type { CliOptions } from './options.js';

/** The auto-mode mangled form of `value` (`what` is `name` or `UUID`, for the messages), or libdm's error line. */
export function mangleName(value: string, what: 'name' | 'UUID'): { mangled: string } | { error: string } {
  const outcome = mangleString(value, what, 'auto');
  return 'error' in outcome ? outcome : { mangled: outcome.value };
}

/**
 * The library's mode for a run: `--manglename` (checked when the line was read), else the
 * environment's as libdm reads it; dmsetup's `mangle` looks devices up in none mode.
 */
export function runNameMangling(options: Readonly<CliOptions>, command: string, env: NodeJS.ProcessEnv = process.env): NameMangling {
  if (command === 'mangle') return 'none';
  return (options.manglename !== undefined ? parseNameMangling(options.manglename) : undefined) ?? nameManglingFromEnv(env);
}

/**
 * libdm's setter check of a name or uuid in `mode`: undefined when it can be sent, else libdm's
 * error lines (the string mangled more than once, or its mangling refused and why).
 */
export function manglingRefusal(value: string, what: MangledWhat, mode: NameMangling): readonly string[] | undefined {
  try {
    new NameCodec(mode).toKernel(value, what);
    return undefined;
  } catch (error) {
    if (error instanceof Error && 'lines' in error) return (error as { lines: readonly string[] }).lines;
    throw error;
  }
}

/**
 * dm_task_get_name_mangled / _uuid_mangled: the shown value mangled in the run's mode (none
 * mangles as auto), or libdm's error lines.
 */
export function mangledField(value: string, what: 'name' | 'UUID', mode: NameMangling): { value: string } | { lines: string[] } {
  const outcome = mangleString(value, what, mode);
  if (!('error' in outcome)) return { value: outcome.value };
  return { lines: [outcome.error, `Failed to mangle device ${what === 'name' ? 'name' : 'uuid'} "${value}".`] };
}

/**
 * dm_task_get_name_unmangled / _uuid_unmangled: in none mode the kernel's string unmangled
 * (leniently); in the other modes the reply was unmangled already, so the value as shown.
 */
export function unmangledField(value: string, what: 'name' | 'UUID', mode: NameMangling): string {
  if (mode !== 'none') return value;
  const outcome = unmangleString(value, what, 'none');
  return 'error' in outcome ? value : outcome.value;
}
