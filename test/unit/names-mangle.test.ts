/**
 * lib/names: libdevmapper's mangle_string / unmangle_string and a handle's NameCodec, against the
 * results and messages of libdm 1.02.185 (the `\xNN` cases were checked with Debian's dmsetup).
 */
import { describe, expect, it } from 'vitest';
import {
  isWhitelistedByte,
  mangledMoreThanOnce,
  mangleString,
  nameManglingFromEnv,
  parseNameMangling,
  unmangleString,
  type NameMangling,
} from '../../lib/names/mangle.js';
import { NameCodec, NameManglingError } from '../../lib/names/name-codec.js';
import type { ReplyHeader } from '../../lib/ioctl/codec.js';

const mixed = (what: string, value: string): { error: string } => ({
  error: `The ${what} "${value}" contains mixed mangled and unmangled characters or it's already mangled improperly.`,
});
const tooLong = (what: string, value: string): { error: string } => ({ error: `Mangled form of the ${what} too long for "${value}".` });

describe('isWhitelistedByte', () => {
  it('takes 0-9 A-Z a-z and # + - . : = @ _, and nothing else', () => {
    const allowed = [...Array(256).keys()].filter(isWhitelistedByte).map((b) => String.fromCharCode(b)).join('');
    expect(allowed).toBe('#+-.0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
  });
});

describe('mangleString', () => {
  const cases: Array<[string, NameMangling, string, ReturnType<typeof mangleString>]> = [
    ['every whitelisted character stays', 'auto', 'a:b=c@d#e+f.g_h-i', { value: 'a:b=c@d#e+f.g_h-i', changed: false }],
    ['a space', 'auto', 'sp ace', { value: 'sp\\x20ace', changed: true }],
    ['a dollar', 'auto', 'x$y', { value: 'x\\x24y', changed: true }],
    ['a backslash not before x', 'auto', 'a\\b', { value: 'a\\x5cb', changed: true }],
    ['a slash, comma, quote, percent', 'auto', `/,'%`, { value: '\\x2f\\x2c\\x27\\x25', changed: true }],
    ['a control character', 'auto', 'a\tb', { value: 'a\\x09b', changed: true }],
    ['the edges of the whitelist: / ; ? [ ` {', 'auto', '/;?[`{', { value: '\\x2f\\x3b\\x3f\\x5b\\x60\\x7b', changed: true }],
    ['UTF-8, byte by byte, lowercase hex', 'auto', 'zürich', { value: 'z\\xc3\\xbcrich', changed: true }],
    ['already mangled is kept, as is (auto)', 'auto', 'sp\\x20ace', { value: 'sp\\x20ace', changed: false }],
    ['a \\x sequence is copied without checking its digits', 'auto', 'a\\xzzb', { value: 'a\\xzzb', changed: false }],
    ['mangled then raw is mixed', 'auto', 'a\\x20b c', mixed('name', 'a\\x20b c')],
    ['raw then mangled is mixed', 'auto', 'a b\\x20c', mixed('name', 'a b\\x20c')],
    ['a \\x too near the end is mixed', 'auto', 'ab\\x2', mixed('name', 'ab\\x2')],
    ['hex encodes the backslash of \\x20', 'hex', 'sp\\x20ace', { value: 'sp\\x5cx20ace', changed: true }],
    ['hex takes raw and mangled together', 'hex', 'a b\\x20c', { value: 'a\\x20b\\x5cx20c', changed: true }],
    ['hex leaves a whitelisted name alone', 'hex', 'abc', { value: 'abc', changed: false }],
    ['none mangles as auto (for the mangled_* fields)', 'none', 'raw space', { value: 'raw\\x20space', changed: true }],
    ['the empty string', 'auto', '', { value: '', changed: false }],
  ];
  it.each(cases)('%s', (_, mode, input, expected) => {
    expect(mangleString(input, 'name', mode)).toEqual(expected);
  });

  it('names the string in its messages: name, UUID, new name, new UUID', () => {
    for (const what of ['name', 'UUID', 'new name', 'new UUID'] as const) {
      expect(mangleString('a b\\x20c', what, 'auto')).toEqual(mixed(what, 'a b\\x20c'));
    }
  });

  it('fits a mangled name in DM_NAME_LEN (127 bytes and the NUL), a uuid in DM_UUID_LEN (128)', () => {
    expect(mangleString('a'.repeat(127), 'name', 'auto')).toEqual({ value: 'a'.repeat(127), changed: false });
    expect(mangleString('a'.repeat(128), 'name', 'auto')).toEqual(tooLong('name', 'a'.repeat(128)));
    expect(mangleString('u'.repeat(128), 'UUID', 'auto')).toEqual({ value: 'u'.repeat(128), changed: false });
    expect(mangleString('u'.repeat(129), 'UUID', 'auto')).toEqual(tooLong('UUID', 'u'.repeat(129)));
    // 123 + one \x20 = 127: fits; 124 + \x20 = 128: no room for the NUL.
    expect(mangleString(`${'a'.repeat(123)} `, 'new name', 'auto')).toEqual({ value: `${'a'.repeat(123)}\\x20`, changed: true });
    expect(mangleString(`${'a'.repeat(124)} `, 'new name', 'auto')).toEqual(tooLong('new name', `${'a'.repeat(124)} `));
    // 32 spaces are 128 bytes mangled: too long for a name, just right for a uuid.
    expect(mangleString(' '.repeat(32), 'name', 'hex')).toEqual(tooLong('name', ' '.repeat(32)));
    expect(mangleString(' '.repeat(32), 'UUID', 'hex')).toEqual({ value: '\\x20'.repeat(32), changed: true });
  });
});

describe('unmangleString', () => {
  const cases: Array<[string, NameMangling, string, ReturnType<typeof unmangleString>]> = [
    ['a plain name', 'auto', 'plain', { value: 'plain', changed: false }],
    ['\\x20 to a space', 'auto', 'sp\\x20ace', { value: 'sp ace', changed: true }],
    ['upper-case digits too', 'hex', 'a\\x2Fb', { value: 'a/b', changed: true }],
    ['UTF-8 bytes back to text', 'auto', 'z\\xc3\\xbcrich', { value: 'zürich', changed: true }],
    ['hex once: the backslash comes back', 'hex', 'sp\\x5cx20ace', { value: 'sp\\x20ace', changed: true }],
    ['strict modes refuse raw odd bytes', 'auto', 'raw space', { error: 'The name "raw space" should be mangled but it contains blacklisted characters.' }],
    ['... hex too', 'hex', 'a$b', { error: 'The name "a$b" should be mangled but it contains blacklisted characters.' }],
    ['none is not strict', 'none', 'raw space\\x21', { value: 'raw space!', changed: true }],
    ['a backslash alone is allowed', 'auto', 'a\\b', { value: 'a\\b', changed: false }],
    ['an unreadable \\x stops decoding (nothing decoded: as it was)', 'auto', 'ab\\xzz', { value: 'ab\\xzz', changed: false }],
    ['an unreadable \\x stops decoding after what was decoded', 'auto', 'a\\x20b\\xzzc', { value: 'a b', changed: true }],
    ['one hex digit is read, and the byte after it skipped (sscanf %2x)', 'none', 'a\\x4gh', { value: 'a\x04h', changed: true }],
    ['a sign is read as sscanf does', 'none', '\\x-1', { value: Buffer.from([0xff]).toString('utf8'), changed: true }],
    ['0x is a prefix worth 0', 'none', '\\x0x5', { value: '\x005', changed: true }],
    ['\\x at the very end stops', 'auto', 'ab\\x', { value: 'ab\\x', changed: false }],
  ];
  it.each(cases)('%s', (_, mode, input, expected) => {
    expect(unmangleString(input, 'name', mode)).toEqual(expected);
  });

  it('round-trips whatever auto mangling makes', () => {
    for (const name of ['a b', 'x$y', 'zürich', '\\', 'tab\there', '"quoted"']) {
      const mangled = mangleString(name, 'name', 'auto');
      expect('value' in mangled && unmangleString(mangled.value, 'name', 'auto')).toEqual({ value: name, changed: true });
    }
  });
});

describe('modes and the environment', () => {
  it('parses none, auto and hex in any case, and nothing else', () => {
    expect(['none', 'AUTO', 'Hex', 'hexx', '', 'off'].map(parseNameMangling)).toEqual(['none', 'auto', 'hex', undefined, undefined, undefined]);
  });

  it('reads DM_DEFAULT_NAME_MANGLING_MODE as libdm does, ignoring values it does not know', () => {
    expect(nameManglingFromEnv({})).toBe('auto');
    expect(nameManglingFromEnv({ DM_DEFAULT_NAME_MANGLING_MODE: 'HEX' })).toBe('hex');
    expect(nameManglingFromEnv({ DM_DEFAULT_NAME_MANGLING_MODE: 'none' })).toBe('none');
    expect(nameManglingFromEnv({ DM_DEFAULT_NAME_MANGLING_MODE: 'bogus' })).toBe('auto');
  });

  it('refuses \\x5cx in auto mode only', () => {
    expect(mangledMoreThanOnce('a\\x5cx20', 'UUID', 'auto')).toBe(
      'The UUID "a\\x5cx20" seems to be mangled more than once. This is not allowed in auto mode.',
    );
    expect(mangledMoreThanOnce('a\\x5cx20', 'name', 'hex')).toBeUndefined();
    expect(mangledMoreThanOnce('a\\x5c', 'name', 'auto')).toBeUndefined();
  });
});

function lines(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(NameManglingError);
    expect((error as NameManglingError).code).toBe('EINVAL');
    return (error as NameManglingError).lines;
  }
  throw new Error('expected a NameManglingError');
}

const header = (name: string, uuid: string): ReplyHeader => ({
  version: [4, 47, 0],
  dataSize: 0,
  dataStart: 0,
  targetCount: 0,
  openCount: 0,
  flags: 0,
  eventNr: 0,
  dev: 0n,
  name,
  uuid,
});

describe('NameCodec', () => {
  it('sends names as given in none mode, mangled in auto and hex', () => {
    expect(new NameCodec('none').toKernel('a b', 'name')).toBe('a b');
    expect(new NameCodec('auto').toKernel('a b', 'name')).toBe('a\\x20b');
    expect(new NameCodec('auto').deviceId({ uuid: 'u u' })).toEqual({ uuid: 'u\\x20u' });
    expect(new NameCodec('hex').deviceId({ name: 'a\\x20b' })).toEqual({ name: 'a\\x5cx20b' });
    expect(new NameCodec('auto').deviceId({ major: 254, minor: 1 })).toEqual({ major: 254, minor: 1 });
  });

  it("refuses with libdm's two lines, or its one line for a string mangled twice", () => {
    const auto = new NameCodec('auto');
    expect(lines(() => auto.toKernel('a b\\x20c', 'name'))).toEqual([
      mixed('name', 'a b\\x20c').error,
      'Failed to mangle device name "a b\\x20c".',
    ]);
    expect(lines(() => auto.toKernel('u'.repeat(129), 'UUID'))).toEqual([
      tooLong('UUID', 'u'.repeat(129)).error,
      `Failed to mangle device uuid "${'u'.repeat(129)}".`,
    ]);
    expect(lines(() => auto.toKernel('x y\\x20', 'new name'))[1]).toBe('Failed to mangle new device name "x y\\x20"');
    expect(lines(() => auto.toKernel('x y\\x20', 'new UUID'))[1]).toBe('Failed to mangle new device UUID "x y\\x20"');
    expect(lines(() => auto.toKernel('a\\x5cx20', 'name'))).toEqual([
      'The name "a\\x5cx20" seems to be mangled more than once. This is not allowed in auto mode.',
    ]);
  });

  it('unmangles a reply, keeping the kernel name, and leaves a removed device its uuid', () => {
    const auto = new NameCodec('auto');
    expect(auto.reply(header('a\\x20b', 'U\\x2fX'), 'DEV_STATUS')).toMatchObject({ name: 'a b', uuid: 'U/X', kernelName: 'a\\x20b' });
    expect(auto.reply(header('a\\x20b', 'U\\x2fX'), 'DEV_REMOVE')).toMatchObject({ name: 'a b', uuid: 'U\\x2fX' });
    // No mangling: the header itself, whose name is the kernel's (decodeName falls back to it).
    const raw = header('a\\x20b', '');
    expect(new NameCodec('none').reply(raw, 'DEV_STATUS')).toBe(raw);
    expect(lines(() => auto.reply(header('raw space', 'bad uuid'), 'DEV_STATUS'))).toEqual([
      'The name "raw space" should be mangled but it contains blacklisted characters.',
    ]);
    expect(lines(() => auto.reply(header('ok', 'bad uuid'), 'DEV_STATUS'))).toEqual([
      'The UUID "bad uuid" should be mangled but it contains blacklisted characters.',
    ]);
  });

  it('unmangles a device list, naming every name it refuses', () => {
    const auto = new NameCodec('auto');
    const list = [
      { name: 'a\\x20b', major: 254, minor: 0, uuid: 'U\\x20' },
      { name: 'raw one', major: 254, minor: 1 },
      { name: 'raw two', major: 254, minor: 2 },
    ];
    expect(auto.entries(list.slice(0, 1))).toEqual([{ name: 'a b', major: 254, minor: 0, uuid: 'U ' }]);
    expect(lines(() => auto.entries(list))).toEqual([
      'The name "raw one" should be mangled but it contains blacklisted characters.',
      'The name "raw two" should be mangled but it contains blacklisted characters.',
    ]);
    expect(new NameCodec('none').entries(list)).toBe(list);
  });
});

describe('NameCodec: the plain-name shortcut', () => {
  // Strings near the shortcut's edges: whitelisted bytes only, a backslash, a byte over 0x7f, and
  // lengths around the fields' room (127 bytes fit a name with its NUL, 128 do not).
  const samples = [
    '',
    'vg0-lv0',
    'a#+-.:=@_Z9',
    'x'.repeat(127),
    'x'.repeat(128),
    'u'.repeat(128),
    'a\\x20b',
    'a\\x5cxb',
    'a b',
    'café',
    'tab\there',
    '/slash',
  ];
  const codecs = (['hex', 'auto'] as const).map((mode) => new NameCodec(mode));

  it('gives what mangle_string and unmangle_string give, refusals included', () => {
    for (const codec of codecs) {
      for (const value of samples) {
        for (const what of ['name', 'UUID'] as const) {
          const slow = mangledMoreThanOnce(value, what, codec.mode) ?? mangleString(value, what, codec.mode);
          const fast = outcome(() => codec.toKernel(value, what));
          if (typeof slow === 'string' || 'error' in slow) expect(fast).toBeInstanceOf(NameManglingError);
          else expect(fast).toBe(slow.value);
          const back = mangledMoreThanOnce(value, what, codec.mode) ?? unmangleString(value, what, codec.mode);
          const shown = outcome(() => codec.fromKernel(value, what));
          if (typeof back === 'string' || 'error' in back) expect(shown).toBeInstanceOf(NameManglingError);
          else expect(shown).toBe(back.value);
        }
      }
    }
  });

  it('hands back a reply and a device list with plain names as they came, copies otherwise', () => {
    const auto = new NameCodec('auto');
    const plain = header('vg0-lv0', 'LVM-abc');
    expect(auto.reply(plain, 'DEV_STATUS')).toBe(plain);
    const mangled = auto.reply(header('a\\x20b', 'LVM-abc'), 'DEV_STATUS');
    expect([mangled.name, mangled.kernelName, mangled.uuid]).toEqual(['a b', 'a\\x20b', 'LVM-abc']);
    const list = [{ name: 'vg0-lv0', major: 254, minor: 0, uuid: 'LVM-abc' }, { name: 'b', major: 254, minor: 1 }];
    expect(auto.entries(list)).toBe(list);
    const mixedList = [...list, { name: 'c\\x20d', major: 254, minor: 2 }];
    const shown = auto.entries(mixedList);
    expect(shown.map((entry) => entry.name)).toEqual(['vg0-lv0', 'b', 'c d']);
    expect(mixedList[2]!.name).toBe('c\\x20d');
  });
});

function outcome(fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    return error;
  }
}
