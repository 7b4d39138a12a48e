/**
 * Cookie values: the udev flags in their high half, as libdm sets them (`_set_cookie_flags`,
 * `_flatten`) and as `dmsetup udevflags` names them; and dmsetup's cookie parsing
 * (`_get_cookie_value`: strtoul base 0, so a leading 0 means octal).
 */
import { DM_UDEV_FLAGS_SHIFT, DmUdevFlag } from '../../native-defs/index.js';
import { fields, oneOf, text, whole } from '../arguments/checks.js';

/** A cookie or an event_nr: a whole 32-bit value. */
const uint32 = whole(0, 0xffffffff);
const taskOptions = fields({ udevDisabled: oneOf(true, false), cookieSupported: oneOf(true, false) });
const cookieCommandName = oneOf('create', 'remove', 'resume', 'rename');

/** The task types that carry a cookie (libdm: create, remove, resume, rename). */
export type CookieCommand = 'create' | 'remove' | 'resume' | 'rename';

/** Whether the kernel sends a uevent with DM_COOKIE for this task (libdm's ioctl_with_uevent). */
export function carriesUevent(command: CookieCommand): boolean {
  return command !== 'create';
}

/** The names `udevflags` prints for bits 0..6 (bit 7 has none: `DM_UDEV_FLAG7`). */
const DM_FLAG_NAMES = [
  'DISABLE_DM_RULES',
  'DISABLE_SUBSYSTEM_RULES',
  'DISABLE_DISK_RULES',
  'DISABLE_OTHER_RULES',
  'LOW_PRIORITY',
  'DISABLE_LIBRARY_FALLBACK',
  'PRIMARY_SOURCE',
] as const;

/** The udev environment variables a cookie's flags set, in bit order (dmsetup's `_udevflags`). */
export function udevFlagVariables(cookie: number): string[] {
  uint32(cookie, 'the cookie');
  const flags = (cookie >>> DM_UDEV_FLAGS_SHIFT) & 0xffff;
  const names: string[] = [];
  for (let bit = 0; bit < 16; bit++) {
    if (!(flags & (1 << bit))) continue;
    if (bit < 8) names.push(DM_FLAG_NAMES[bit] ? `DM_UDEV_${DM_FLAG_NAMES[bit]}_FLAG` : `DM_UDEV_FLAG${bit}`);
    else names.push(`DM_SUBSYSTEM_UDEV_FLAG${bit - 8}`);
  }
  return names;
}

/** `udevflags` output lines: `NAME='1'` per set flag. */
export function udevFlagLines(cookie: number): string[] {
  return udevFlagVariables(cookie).map((name) => `${name}='1'`);
}

/** What decides the udev flags of a task besides its command (libdm's udev state for one handle). */
export interface CookieFlagOptions {
  /** DM_DISABLE_UDEV is set: libdm makes the nodes, the DM and subsystem rules are switched off. */
  udevDisabled?: boolean;
  /** The driver supports cookies (interface 4.15+); without, libdm sends no flags at all. */
  cookieSupported?: boolean;
}

/**
 * The high half of `event_nr` for a task (libdm's `_set_cookie_flags`, then `_flatten` adds
 * PRIMARY_SOURCE to the tasks that make uevents). `flags` are the caller's (e.g.
 * DISABLE_LIBRARY_FALLBACK when udev makes the nodes, the DISABLE_*_RULES of --noudevrules).
 */
export function taskUdevFlags(command: CookieCommand, flags: number, options: CookieFlagOptions = {}): number {
  cookieCommandName(command, 'the command');
  uint32(flags, 'the udev flags');
  taskOptions(options, 'the options');
  if (options.cookieSupported === false) return 0;
  let result = flags & 0xffff;
  if (options.udevDisabled) {
    result &= ~DmUdevFlag.DISABLE_LIBRARY_FALLBACK;
    result |= DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
  }
  if (carriesUevent(command)) result |= DmUdevFlag.PRIMARY_SOURCE;
  return result;
}

/**
 * `event_nr` for a uevent task sent without any cookie while udev sync is active: libdm then
 * switches udev's DM and subsystem rules off and makes the nodes itself ("Cookie value is not set").
 */
export function eventNrWithoutCookie(command: CookieCommand, syncActive: boolean): number {
  if (!carriesUevent(command)) return 0;
  let flags = DmUdevFlag.PRIMARY_SOURCE;
  if (syncActive) flags |= DmUdevFlag.DISABLE_DM_RULES | DmUdevFlag.DISABLE_SUBSYSTEM_RULES;
  return (flags << DM_UDEV_FLAGS_SHIFT) >>> 0;
}

/** The value sent in `event_nr`: flags in the high half, the cookie's base in the low. */
export function eventNr(udevFlags: number, cookie: number): number {
  uint32(udevFlags, 'the udev flags');
  uint32(cookie, 'the cookie');
  return (((udevFlags & 0xffff) << DM_UDEV_FLAGS_SHIFT) | (cookie & 0xffff)) >>> 0;
}

/**
 * dmsetup's `_get_cookie_value`: C strtoul(text, &end, 0) on a 64-bit unsigned long, refused
 * (undefined) when nothing was read, something trails, the value is 0, or it exceeds 32 bits.
 */
export function parseCookie(value: string): number | undefined {
  text(value, 'the cookie text');
  const match = /^[ \t\n\v\f\r]*([+-]?)(0[xX](?=[0-9a-fA-F])[0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)(.*)$/s.exec(value);
  if (!match || match[3] !== '') return undefined;
  const [, sign, digits] = match as unknown as [string, string, string];
  const magnitude = /^0[xX]/.test(digits) ? BigInt(digits) : digits.startsWith('0') ? BigInt(`0o${digits.slice(1) || '0'}`) : BigInt(digits);
  const max = (1n << 64n) - 1n;
  if (magnitude > max) return undefined; // ERANGE
  const cookie = sign === '-' ? BigInt.asUintN(64, -magnitude) : magnitude;
  if (cookie === 0n || cookie > 0xffffffffn) return undefined;
  return Number(cookie);
}
