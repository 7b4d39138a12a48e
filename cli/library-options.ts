/**
 * dmsetup's node and read-ahead options as library options: `-U/-G/-M` (owner, group, mode of the
 * nodes made), `--addnodeoncreate|--addnodeonresume`, `--readahead [+]N|auto|none`, and the
 * DM_DEV_DIR environment variable. Parsing only; the library does the work.
 */
import type { DeviceMapperOptions, ReadAheadSetting } from '../lib/index.js';
import type { CliOptions } from './options.js';

/** A command-line value dmsetup would refuse; `message` is dmsetup's line for it. */
export class OptionValueError extends Error {}

/**
 * `--readahead` as dmsetup reads it: `auto` or `none` (any case), or `[+]N` sectors (leading spaces
 * skipped, `+` means "at least"); -1 means auto; below -1 is refused with dmsetup's message.
 */
export function parseReadAhead(value: string): ReadAheadSetting {
  const text = value.replace(/^\s+/, '');
  if (/^auto$/i.test(text)) return 'auto';
  if (/^none$/i.test(text)) return 'none';
  const atLeast = text.startsWith('+');
  // atoi: leading digits (with an optional sign), anything after them ignored, nothing → 0.
  const number = Number.parseInt(atLeast ? text.slice(1) : text, 10) || 0;
  if (number < -1) throw new OptionValueError(`Negative read ahead value (${number}) is not understood.`);
  if (number === -1) return 'auto';
  return atLeast ? { atLeast: number } : number;
}

/** `-M`: octal, all of it, not zero; dmsetup's message otherwise (with its trailing space). */
export function parseMode(value: string): number {
  const mode = /^[0-7]+$/.test(value.trim()) ? Number.parseInt(value.trim(), 8) : NaN;
  if (!Number.isInteger(mode) || mode === 0) throw new OptionValueError(`Invalid argument for --mode: ${value}. `);
  return mode;
}

/** atoi, as dmsetup reads -U and -G: leading number, else 0. */
function atoi(value: string): number {
  return Number.parseInt(value.trim(), 10) || 0;
}

/**
 * The DeviceMapper options a command line asks for. Throws OptionValueError with dmsetup's line for
 * a value it refuses (a relative DM_DEV_DIR, a bad mode, both addnode options).
 */
export function libraryOptionsFrom(options: CliOptions, env: NodeJS.ProcessEnv = process.env): DeviceMapperOptions {
  const devDir = env['DM_DEV_DIR'];
  if (devDir !== undefined && devDir !== '' && !devDir.startsWith('/')) {
    throw new OptionValueError('Invalid DM_DEV_DIR environment variable value.');
  }
  if (options.addnodeoncreate && options.addnodeonresume) {
    throw new OptionValueError('--addnodeonresume and --addnodeoncreate are incompatible.');
  }
  const result: DeviceMapperOptions = {};
  if (devDir) result.devDir = devDir;
  if (options.addnodeoncreate) result.addNodeOn = 'create';
  const ownership: NonNullable<DeviceMapperOptions['nodeOwnership']> = {};
  if (options.uid !== undefined) ownership.uid = atoi(options.uid);
  if (options.gid !== undefined) ownership.gid = atoi(options.gid);
  if (options.mode !== undefined) ownership.mode = parseMode(options.mode);
  if (Object.keys(ownership).length > 0) result.nodeOwnership = ownership;
  return result;
}
