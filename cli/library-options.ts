/**
 * dmsetup's node and read-ahead options as library options: `-U/-G/-M` (owner, group, mode of the
 * nodes made), `--addnodeoncreate`, `--readahead [+]N|auto|none`, and the DM_DEV_DIR environment
 * variable. Parsing only; the library does the work. The values were checked with dmsetup's rules
 * and messages when the command line was read (options.ts, main.ts).
 */
import type { DeviceMapperOptions, ReadAheadSetting } from '../lib/index.js';
import { DM_UDEV_COOKIE_ENV } from '../native-defs/udev.js';
import { parseCookie } from '../lib/udev/flags.js';
import { atoi, strtol } from './c-numbers.js';
import type { CliOptions } from './options.js';

/**
 * `--readahead` as dmsetup reads it: `auto` or `none` (any case), or `[+]N` sectors (leading spaces
 * skipped, `+` means "at least", the number read by atoi); -1 means auto. (Below -1 was refused
 * with dmsetup's message when the command line was read.)
 */
export function parseReadAhead(value: string): ReadAheadSetting {
  const text = value.replace(/^\s+/, '');
  if (/^auto$/i.test(text)) return 'auto';
  if (/^none$/i.test(text)) return 'none';
  const atLeast = text.startsWith('+');
  const number = atoi(atLeast ? text.slice(1) : text);
  if (number === -1) return 'auto';
  return atLeast ? { atLeast: number } : number;
}

/** --readahead as the library takes it (the value was checked when the line was parsed). */
export function readAheadSetting(text: string | undefined): ReadAheadSetting | undefined {
  return text === undefined ? undefined : parseReadAhead(text);
}

/**
 * The udev options: `--noudevsync` (or our `--udevsync=MODE`), `--udevtimeout SECONDS`,
 * `--verifyudev`, `--noudevrules`, and the transaction cookie (`--udevcookie`, else
 * DM_UDEV_COOKIE): a joined cookie is never waited for; its owner releases it.
 */
function udevOptionsFrom(options: Readonly<CliOptions>, env: NodeJS.ProcessEnv, result: DeviceMapperOptions): void {
  if (options.udevsync !== undefined) result.udevSync = options.udevsync as 'cookie' | 'monitor' | 'off';
  if (options.noudevsync) result.udevSync = 'off';
  if (options.udevtimeout !== undefined) result.udevTimeoutMs = Number(options.udevtimeout) * 1000;
  if (options.verifyudev) result.verifyUdev = true;
  if (options.noudevrules) result.noUdevRules = true;
  const cookie = parseCookie(options.udevcookie ?? env[DM_UDEV_COOKIE_ENV] ?? '');
  if (cookie) result.udevCookie = cookie;
}

/** The DeviceMapper options a command line asks for. */
export function libraryOptionsFrom(options: Readonly<CliOptions>, env: NodeJS.ProcessEnv = process.env): DeviceMapperOptions {
  // dmsetup says what went wrong with a node and goes on (exit 0): the device is there, mknodes mends it.
  const result: DeviceMapperOptions = { nodeErrors: 'warn' };
  udevOptionsFrom(options, env, result);
  const devDir = env['DM_DEV_DIR'];
  if (devDir) result.devDir = devDir;
  if (options.addnodeoncreate) result.addNodeOn = 'create';
  if (options.noopencount) result.noOpenCount = true;
  const ownership: NonNullable<DeviceMapperOptions['nodeOwnership']> = {};
  if (options.uid !== undefined) ownership.uid = atoi(options.uid);
  if (options.gid !== undefined) ownership.gid = atoi(options.gid);
  // -M as dmsetup reads it: strtol base 8 (options.ts has refused what dmsetup refuses).
  if (options.mode !== undefined) ownership.mode = Number(strtol(options.mode, 8).value) & 0o7777;
  if (Object.keys(ownership).length > 0) result.nodeOwnership = ownership;
  return result;
}
