/**
 * Names, uuids and device numbers are checked before any ioctl, and every refusal names its rule.
 */
import { describe, expect, it } from 'vitest';
import { DmError } from '../../lib/errors.js';
import {
  describeDevice,
  MAX_NAME_BYTES,
  MAX_UUID_BYTES,
  validateDeviceId,
  validateName,
  validateUuid,
  type DeviceId,
} from '../../lib/device/names.js';
import { validateDevNumber } from '../../lib/device/devt.js';

/** The message of the DmError (EINVAL, invalid-argument) that `check` throws. */
function refusal(check: () => void): string {
  try {
    check();
  } catch (error) {
    expect(error).toBeInstanceOf(DmError);
    expect(error).toMatchObject({ code: 'EINVAL', errno: 22, kind: 'invalid-argument' });
    return (error as Error).message;
  }
  throw new Error('the check accepted its argument');
}

describe('validateName', () => {
  it('accepts ordinary names, up to 127 bytes, and non-ASCII ones', () => {
    expect(MAX_NAME_BYTES).toBe(127);
    for (const name of ['vg0-lv0', 'a', 'x'.repeat(127), '...', '.hidden', 'control2', 'My Volume', 'é'.repeat(63)]) {
      expect(() => validateName(name), name).not.toThrow();
    }
  });

  it('refuses an empty name', () => {
    expect(refusal(() => validateName(''))).toBe('The device name is empty; a name is required');
  });

  it('refuses more than 127 bytes, counted in bytes of UTF-8 (not characters)', () => {
    expect(refusal(() => validateName('x'.repeat(128)))).toBe(`The device name "${'x'.repeat(128)}" is 128 bytes long; the limit is 127`);
    // 64 characters but 128 bytes.
    expect(refusal(() => validateName('é'.repeat(64)))).toMatch(/ is 128 bytes long; the limit is 127$/);
    expect(refusal(() => validateName(`${'x'.repeat(126)}é`))).toMatch(/ is 128 bytes long; the limit is 127$/);
  });

  it('refuses "/" (the name is a file in /dev/mapper)', () => {
    expect(refusal(() => validateName('vg/lv'))).toBe('The device name "vg/lv" contains "/", which device names cannot contain');
    expect(refusal(() => validateName('/'))).toMatch(/contains "\/"/);
  });

  it('refuses "." and ".."', () => {
    expect(refusal(() => validateName('.'))).toBe('The device name cannot be "."');
    expect(refusal(() => validateName('..'))).toBe('The device name cannot be ".."');
  });

  it('refuses "control" (the control node’s own file)', () => {
    expect(refusal(() => validateName('control'))).toBe(
      'The device name cannot be "control": /dev/mapper/control is the device-mapper control node',
    );
  });

  it('refuses a NUL, showing it as \\0', () => {
    expect(refusal(() => validateName('a\0b'))).toBe('The device name "a\\0b" contains a NUL character');
  });

  it('names what is checked when asked (e.g. the new name of a rename)', () => {
    expect(refusal(() => validateName('', 'new device name'))).toBe('The new device name is empty; a name is required');
  });
});

describe('validateUuid', () => {
  it('accepts up to 128 bytes, with "/" and any other character but NUL', () => {
    expect(MAX_UUID_BYTES).toBe(128);
    for (const uuid of ['LVM-abc', 'u'.repeat(128), 'CRYPT-LUKS2-0123/x', 'control', '.']) {
      expect(() => validateUuid(uuid), uuid).not.toThrow();
    }
  });

  it('refuses an empty uuid', () => {
    expect(refusal(() => validateUuid(''))).toBe('The uuid is empty');
  });

  it('refuses more than 128 bytes of UTF-8', () => {
    expect(refusal(() => validateUuid('u'.repeat(129)))).toBe(`The uuid "${'u'.repeat(129)}" is 129 bytes long; the limit is 128`);
    expect(refusal(() => validateUuid('é'.repeat(65)))).toMatch(/ is 130 bytes long; the limit is 128$/);
  });

  it('refuses a NUL', () => {
    expect(refusal(() => validateUuid('LVM-\0'))).toBe('The uuid "LVM-\\0" contains a NUL character');
  });

  it('names what is checked when asked', () => {
    expect(refusal(() => validateUuid('', 'new uuid'))).toBe('The new uuid is empty');
  });
});

describe('validateDevNumber', () => {
  it('accepts 0..4095 for the major and 0..1048575 for the minor (the kernel’s 12 and 20 bits)', () => {
    for (const [major, minor] of [[0, 0], [253, 0], [4095, 1048575], [254, 256]] as const) {
      expect(() => validateDevNumber(major, minor)).not.toThrow();
    }
  });

  it('refuses a major that is negative, too big or not a whole number', () => {
    expect(refusal(() => validateDevNumber(4096, 0))).toBe('The major number 4096 is out of range (0 to 4095)');
    expect(refusal(() => validateDevNumber(-1, 0))).toBe('The major number -1 is out of range (0 to 4095)');
    expect(refusal(() => validateDevNumber(1.5, 0))).toBe('The major number 1.5 is out of range (0 to 4095)');
    expect(refusal(() => validateDevNumber(Number.NaN, 0))).toBe('The major number NaN is out of range (0 to 4095)');
  });

  it('refuses a minor that is negative, too big or not a whole number', () => {
    expect(refusal(() => validateDevNumber(253, 1048576))).toBe('The minor number 1048576 is out of range (0 to 1048575)');
    expect(refusal(() => validateDevNumber(253, -1))).toBe('The minor number -1 is out of range (0 to 1048575)');
    expect(refusal(() => validateDevNumber(253, 0.5))).toBe('The minor number 0.5 is out of range (0 to 1048575)');
  });
});

describe('validateDeviceId / describeDevice', () => {
  it('accepts exactly one of { name }, { uuid }, { major, minor } and checks it', () => {
    expect(() => validateDeviceId({ name: 'vol1' })).not.toThrow();
    expect(() => validateDeviceId({ uuid: 'LVM-abc' })).not.toThrow();
    expect(() => validateDeviceId({ major: 253, minor: 4 })).not.toThrow();
    expect(refusal(() => validateDeviceId({ name: 'vg/lv' }))).toMatch(/contains "\/"/);
    expect(refusal(() => validateDeviceId({ uuid: '' }))).toBe('The uuid is empty');
    expect(refusal(() => validateDeviceId({ major: 253, minor: -1 }))).toMatch(/^The minor number -1 is out of range/);
  });

  it('refuses two addresses at once, or none', () => {
    const both = { name: 'vol1', uuid: 'LVM-abc' } as unknown as DeviceId;
    expect(refusal(() => validateDeviceId(both))).toBe('A device is addressed by exactly one of { name }, { uuid } or { major, minor }');
    expect(refusal(() => validateDeviceId({} as DeviceId))).toBe(
      'A device is addressed by exactly one of { name }, { uuid } or { major, minor }',
    );
  });

  it('refuses something that is not an object', () => {
    expect(refusal(() => validateDeviceId(null as unknown as DeviceId))).toBe('A device is addressed by { name }, { uuid } or { major, minor }');
    expect(refusal(() => validateDeviceId('vol1' as unknown as DeviceId))).toBe(
      'A device is addressed by { name }, { uuid } or { major, minor }',
    );
  });

  it('describes each kind of address', () => {
    expect(describeDevice({ name: 'vol1' })).toBe('vol1');
    expect(describeDevice({ uuid: 'LVM-abc' })).toBe('uuid LVM-abc');
    expect(describeDevice({ major: 253, minor: 4 })).toBe('253:4');
  });
});
