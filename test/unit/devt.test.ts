/**
 * Device numbers in both encodings: the kernel's "huge" dev_t of dm_ioctl (minor bits 0-7 at 0-7,
 * major at 8-19, minor bits 8-19 at 20-31) and glibc's 64-bit dev_t of stat(2) and mknod(2).
 */
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeKernelDev,
  encodeKernelDev,
  formatDev,
  glibcMakedev,
  glibcSplitDev,
  sameDev,
  type DevNumber,
} from '../../lib/device/devt.js';

/** Encodings worked out by hand from the bit layouts above. */
const KERNEL_ENCODINGS: ReadonlyArray<[DevNumber, bigint]> = [
  [{ major: 0, minor: 0 }, 0x0n],
  [{ major: 1, minor: 3 }, 0x103n],
  [{ major: 7, minor: 0 }, 0x700n],
  [{ major: 253, minor: 0 }, 0xfd00n],
  [{ major: 253, minor: 255 }, 0xfdffn],
  // Minors past 255: their high bits go to bits 20-31.
  [{ major: 254, minor: 256 }, 0x10fe00n],
  [{ major: 253, minor: 300 }, 0x10fd2cn],
  [{ major: 254, minor: 1048575 }, 0xfff0feffn],
  [{ major: 4095, minor: 1048575 }, 0xffffffffn],
];

describe('encodeKernelDev / decodeKernelDev (huge_encode_dev)', () => {
  it.each(KERNEL_ENCODINGS)('%j ⇄ %s', (dev, encoded) => {
    expect(encodeKernelDev(dev)).toBe(encoded);
    expect(decodeKernelDev(encoded)).toEqual(dev);
  });

  it('the result is never negative, even with bit 31 set (a u64 on the wire)', () => {
    expect(encodeKernelDev({ major: 0, minor: 0x80000 })).toBe(0x80000000n);
  });

  it('refuses numbers the 32-bit encoding cannot hold (they would address another device)', () => {
    expect(() => encodeKernelDev({ major: 4096, minor: 0 })).toThrow('The major number 4096 is out of range (0 to 4095)');
    expect(() => encodeKernelDev({ major: 253, minor: 1048576 })).toThrow('The minor number 1048576 is out of range (0 to 1048575)');
    expect(() => encodeKernelDev({ major: 253, minor: -1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('decoding reads only the low 32 bits, as the kernel’s huge_decode_dev does', () => {
    expect(decodeKernelDev(0xdead_beef_0010_fe00n)).toEqual({ major: 254, minor: 256 });
  });

  it('round-trips every major with a spread of minors', () => {
    for (let major = 0; major <= 4095; major += 13) {
      for (const minor of [0, 1, 255, 256, 4095, 65536, 1048575]) {
        expect(decodeKernelDev(encodeKernelDev({ major, minor }))).toEqual({ major, minor });
      }
    }
  });
});

describe('glibcMakedev / glibcSplitDev (gnu_dev_makedev)', () => {
  it('small numbers: major in bits 8-19, minor in bits 0-7', () => {
    expect(glibcMakedev({ major: 1, minor: 3 })).toBe(0x103n);
    expect(glibcMakedev({ major: 10, minor: 236 })).toBe(0xaecn);
  });

  it('large numbers: minor bits 8-31 at 20-43, major bits 12-31 at 44-63', () => {
    expect(glibcMakedev({ major: 254, minor: 256 })).toBe(0x10fe00n);
    expect(glibcMakedev({ major: 4095, minor: 1048575 })).toBe(0xffffffffn);
    expect(glibcMakedev({ major: 0x1000, minor: 0 })).toBe(0x1000_0000_0000n);
    expect(glibcMakedev({ major: 0xffffffff, minor: 0xffffffff })).toBe(0xffff_ffff_ffff_ffffn);
  });

  it('glibcSplitDev takes a number or a bigint and undoes glibcMakedev', () => {
    for (const dev of [
      { major: 0, minor: 0 },
      { major: 8, minor: 16 },
      { major: 253, minor: 300 },
      { major: 4095, minor: 1048575 },
      { major: 0x1000, minor: 0x100000 },
      { major: 0xffffffff, minor: 0xffffffff },
    ]) {
      const rdev = glibcMakedev(dev);
      expect(glibcSplitDev(rdev)).toEqual(dev);
      if (rdev <= BigInt(Number.MAX_SAFE_INTEGER)) expect(glibcSplitDev(Number(rdev))).toEqual(dev);
    }
  });

  it('agrees with the rdev that node’s fs.statSync reports for /dev/null (1:3) and /dev/zero (1:5)', () => {
    const devNull = statSync('/dev/null');
    const devZero = statSync('/dev/zero', { bigint: true });
    expect(glibcSplitDev(devNull.rdev)).toEqual({ major: 1, minor: 3 });
    expect(glibcSplitDev(devZero.rdev)).toEqual({ major: 1, minor: 5 });
    expect(glibcMakedev({ major: 1, minor: 3 })).toBe(BigInt(devNull.rdev));
    expect(glibcMakedev({ major: 1, minor: 5 })).toBe(devZero.rdev);
  });
});

describe('formatDev / sameDev', () => {
  it('prints major:minor and compares both parts', () => {
    expect(formatDev({ major: 253, minor: 4 })).toBe('253:4');
    expect(sameDev({ major: 253, minor: 4 }, { major: 253, minor: 4 })).toBe(true);
    expect(sameDev({ major: 253, minor: 4 }, { major: 253, minor: 5 })).toBe(false);
    expect(sameDev({ major: 253, minor: 4 }, { major: 254, minor: 4 })).toBe(false);
  });
});
