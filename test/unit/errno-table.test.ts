/**
 * native-defs' errno table against the running system: every name as node:os knows it, and every
 * message as glibc's own strerror(3) says it (called through koffi here, as the library once did).
 */
import { constants } from 'node:os';
import koffi from 'koffi';
import { describe, expect, it } from 'vitest';
import { ERRNO_TABLE, LIBC_SONAME } from '../../native-defs/index.js';
import { errnoName, errnoNumber, strerror } from '../../lib/sys/errno.js';

const glibcStrerror = koffi.load(LIBC_SONAME).func('const char *strerror(int errnum)') as (errnum: number) => string;

describe('the errno table', () => {
  it('has the message glibc gives for every number from 0 to 140', () => {
    const ours = Array.from({ length: 141 }, (_, n) => strerror(n));
    const glibc = Array.from({ length: 141 }, (_, n) => glibcStrerror(n));
    expect(ours).toEqual(glibc);
  });

  it('names every errno node:os names, with the name node lists first for a shared number', () => {
    const first = new Map<number, string>();
    for (const [name, value] of Object.entries(constants.errno)) if (!first.has(value)) first.set(value, name);
    for (const [value, name] of first) expect(errnoName(value)).toBe(name);
  });

  it('names the Linux-only ones and falls back to E<n> for a number Linux does not use', () => {
    expect(errnoName(123)).toBe('ENOMEDIUM');
    expect(errnoName(41)).toBe('E41');
    expect(ERRNO_TABLE.map(([n]) => n)).toEqual([...new Set(ERRNO_TABLE.map(([n]) => n))].sort((a, b) => a - b));
  });
});

describe('errno numbers by name', () => {
  it('are node:os numbers for every name node knows, aliases included', () => {
    for (const [name, value] of Object.entries(constants.errno)) expect(errnoNumber(name)).toBe(value);
    expect(errnoNumber('EDEADLOCK')).toBe(35);
    expect(errnoNumber('ENOSUCHTHING')).toBeUndefined();
  });
});
