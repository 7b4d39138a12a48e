/**
 * libdevmapper's name and uuid mangling (libdm-common.c: _is_whitelisted_char, mangle_string,
 * unmangle_string, check_multiple_mangled_string_allowed; dm_lib_init for the environment).
 * udev cannot take every byte in a device name, so libdm sends the kernel names and uuids whose
 * bytes outside `0-9 A-Z a-z # + - . : = @ _` are written `\xNN`, and turns replies back.
 * Pure functions over strings (their UTF-8 bytes, as libdm sees C strings); the messages are
 * libdm's, word for word, because dmsetup prints them.
 */
import { invalidArgument } from '../errors.js';

/** How names and uuids reach the kernel: as given, every odd byte as `\xNN`, or `\xNN` unless already so. */
export type NameMangling = 'none' | 'hex' | 'auto';

/** What a string is, in libdm's messages. */
export type MangledWhat = 'name' | 'UUID' | 'new name' | 'new UUID';

/** A mangled or unmangled string (`changed` false: the input as it was), or libdm's error line. */
export type MangleOutcome = { value: string; changed: boolean } | { error: string };

/** libdm's environment variable for the default mode. */
export const NAME_MANGLING_ENV = 'DM_DEFAULT_NAME_MANGLING_MODE';

/** DM_NAME_LEN and DM_UUID_LEN: the room libdm gives a mangled string, its NUL included. */
const ROOM: Record<MangledWhat, number> = { name: 128, 'new name': 128, UUID: 129, 'new UUID': 129 };

const MODES: readonly string[] = ['none', 'hex', 'auto'];

/** The arguments of mangleString/unmangleString, checked as every public entry point checks them. */
function checkMangleArguments(fn: string, value: unknown, what: unknown, mode: unknown): void {
  if (typeof value !== 'string') throw invalidArgument(`${fn}() needs the name or uuid as a string, not ${typeof value}`);
  if (typeof what !== 'string' || !(what in ROOM)) throw invalidArgument(`${fn}() needs what the string is: one of ${Object.keys(ROOM).join(', ')}`);
  if (typeof mode !== 'string' || !MODES.includes(mode)) throw invalidArgument(`${fn}() needs a mangling mode: none, hex or auto`);
}

const BACKSLASH = 0x5c;
const LOWER_X = 0x78;

/** `0-9 A-Z a-z` and `# + - . : = @ _`: the bytes udev takes in a name as they are. */
export function isWhitelistedByte(byte: number): boolean {
  if (typeof byte !== 'number') throw invalidArgument(`isWhitelistedByte() needs a byte value (a number), not ${typeof byte}`);
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x61 && byte <= 0x7a) ||
    byte === 0x23 || byte === 0x2b || byte === 0x2d || byte === 0x2e ||
    byte === 0x3a || byte === 0x3d || byte === 0x40 || byte === 0x5f
  );
}

/** `none`, `auto` or `hex` in any case (libdm's strcasecmp); undefined for anything else. */
export function parseNameMangling(text: string): NameMangling | undefined {
  if (typeof text !== 'string') throw invalidArgument(`parseNameMangling() needs a string, not ${typeof text}`);
  const lower = text.toLowerCase();
  return lower === 'none' || lower === 'auto' || lower === 'hex' ? lower : undefined;
}

/**
 * The default mode as libdm's constructor reads it: DM_DEFAULT_NAME_MANGLING_MODE when it names a
 * mode (any case), else `auto` (Debian's build default). An unknown value is ignored silently.
 */
export function nameManglingFromEnv(env: NodeJS.ProcessEnv = process.env): NameMangling {
  if (typeof env !== 'object' || env === null) throw invalidArgument('nameManglingFromEnv() needs an environment object (like process.env)');
  const text = env[NAME_MANGLING_ENV];
  return (text !== undefined ? parseNameMangling(text) : undefined) ?? 'auto';
}

/**
 * check_multiple_mangled_string_allowed: in auto mode a string holding `\x5cx` (a mangled
 * backslash before an `x`) looks mangled twice and is refused; the error line, or undefined.
 */
export function mangledMoreThanOnce(value: string, what: MangledWhat, mode: NameMangling): string | undefined {
  if (mode !== 'auto' || !value.includes('\\x5cx')) return undefined;
  return `The ${what} "${value}" seems to be mangled more than once. This is not allowed in auto mode.`;
}

/**
 * mangle_string: each byte outside the whitelist becomes `\xNN` (lowercase hex). In auto mode (and
 * in none mode, which libdm treats as auto here) an existing `\xNN` is kept as already mangled,
 * and a mixture of both is an error; hex mode encodes the backslash of `\xNN` too. The result
 * must fit in DM_NAME_LEN (names) or DM_UUID_LEN (uuids) with its NUL.
 */
export function mangleString(value: string, what: MangledWhat, mode: NameMangling): MangleOutcome {
  checkMangleArguments('mangleString', value, what, mode);
  const bytes = Buffer.from(value);
  const room = ROOM[what];
  const hex = mode === 'hex';
  const out: number[] = [];
  // libdm's need_mangling: undefined until the first odd byte or `\x` sequence says which.
  let needMangling: boolean | undefined;
  const mixed = { error: `The ${what} "${value}" contains mixed mangled and unmangled characters or it's already mangled improperly.` };
  const tooLong = { error: `Mangled form of the ${what} too long for "${value}".` };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (!hex && byte === BACKSLASH && bytes[i + 1] === LOWER_X) {
      if (bytes.length - i < 4 || needMangling === true) return mixed;
      if (room - out.length < 4) return tooLong;
      out.push(...bytes.subarray(i, i + 4));
      i += 3;
      needMangling = false;
    } else if (isWhitelistedByte(byte)) {
      if (room - out.length < 1) return tooLong;
      out.push(byte);
    } else {
      if (!hex && needMangling === false) return mixed;
      if (room - out.length < 4) return tooLong;
      out.push(...Buffer.from(`\\x${byte.toString(16).padStart(2, '0')}`, 'latin1'));
      needMangling = true;
    }
  }
  if (room - out.length < 1) return tooLong;
  return needMangling ? { value: Buffer.from(out).toString('utf8'), changed: true } : { value, changed: false };
}

/**
 * unmangle_string: each `\xNN` becomes its byte. Strict unless the mode is none: a byte outside
 * the whitelist other than `\` means the string should have been mangled, an error. A `\x` that
 * sscanf("%2x") cannot read stops the decoding there (what was decoded so far is the result, or
 * the string as it was when nothing was).
 */
export function unmangleString(value: string, what: MangledWhat, mode: NameMangling): MangleOutcome {
  checkMangleArguments('unmangleString', value, what, mode);
  const bytes = Buffer.from(value);
  const strict = mode !== 'none';
  const out: number[] = [];
  let changed = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (strict && !isWhitelistedByte(byte) && byte !== BACKSLASH) {
      return { error: `The ${what} "${value}" should be mangled but it contains blacklisted characters.` };
    }
    if (byte === BACKSLASH && bytes[i + 1] === LOWER_X) {
      const code = scanHex2(bytes, i + 2);
      if (code === undefined) break;
      out.push(code & 0xff);
      // libdm skips the four bytes of `\xNN` whatever sscanf read (`\x4g` loses the g).
      i += 3;
      changed = true;
    } else {
      out.push(byte);
    }
  }
  return changed ? { value: Buffer.from(out).toString('utf8'), changed: true } : { value, changed: false };
}

const isSpace = (byte: number | undefined): boolean => byte !== undefined && (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d));
const hexDigit = (byte: number | undefined): number => {
  if (byte === undefined) return -1;
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  return -1;
};

/**
 * What glibc's sscanf("%2x") reads at `start`: blanks skipped, then at most two characters of
 * an optional sign, a `0x` prefix and hex digits. Undefined when nothing matches (or, where
 * libdm would read an unset value, when the string ends).
 */
function scanHex2(bytes: Buffer, start: number): number | undefined {
  let i = start;
  while (isSpace(bytes[i])) i++;
  let width = 2;
  let negative = false;
  if (bytes[i] === 0x2b || bytes[i] === 0x2d) {
    negative = bytes[i] === 0x2d;
    i++;
    width--;
  }
  let value = 0;
  let digits = 0;
  while (width > 0) {
    const digit = hexDigit(bytes[i]);
    // "0x" is a prefix: after a lone leading 0 an x is taken (and the number is that 0).
    if (digit < 0 && digits === 1 && value === 0 && (bytes[i] === 0x78 || bytes[i] === 0x58)) break;
    if (digit < 0) break;
    value = value * 16 + digit;
    digits++;
    i++;
    width--;
  }
  if (digits === 0) return undefined;
  return negative ? -value : value;
}
