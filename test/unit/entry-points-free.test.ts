/**
 * Every exported function of lib/index.ts (enumerated, so a new one is covered) called with junk:
 * null, {}, [null], a string with a NUL, three nulls, a symbol. Property: a value, or a DmError,
 * never a TypeError from inside. Functions that act on the system (udev cookies, the control
 * fd, /dev/kmsg, modprobe) are left to tests that own those resources; the facade, handles and
 * builders are test/unit/entry-points.test.ts. KNOWN_GAPS lists what still throws raw errors, so
 * a new gap fails this test and a fixed one must be taken off the list.
 */
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as lib from '../../lib/index.js';

/** Act on the system: creating/destroying semaphores, closing fds, reading /dev/kmsg or /proc, probing udev. */
const SYSTEM = new Set([
  'createCookie', 'destroyCookie', 'releaseCookie', 'releaseCookieTrapped', 'completeCookie', 'incrementCookie', 'decrementCookie',
  'listCookies', 'attachCookie', 'closeControl', 'openControl', 'kernelLogMark', 'kernelLogSince', 'findModprobe', 'readMiscMinor',
  'libcTransport', 'createUdevSync', 'chooseUdevSync', 'udevIsRunning', 'udevRunning', 'udevInOtherIpcNamespace', 'udevDisabledByEnv', 'cookieFromEnv',
]);

/** Still raw errors for these junk inputs (the value shown is the first junk that fails). */
const KNOWN_GAPS: string[] = [];

const JUNK: unknown[][] = [[null], [{}], [[null]], ['a\0b'], [null, null, null], [Symbol('s')]];

async function rawErrorOf(fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
  try {
    const result = fn(...args);
    if (result && typeof (result as Promise<unknown>).then === 'function') await result;
    if (result && typeof (result as Generator).next === 'function' && !(Symbol.asyncIterator in (result as object))) (result as Generator).next();
    return undefined;
  } catch (error) {
    return error instanceof lib.DmError ? undefined : error;
  }
}

describe('exported functions given junk', () => {
  it('return a value or throw DmError (but the known gaps)', async () => {
    const functions = Object.entries(lib).filter(([name, value]) => typeof value === 'function' && !/^[A-Z]/.test(name) && !SYSTEM.has(name));
    expect(functions.length).toBeGreaterThan(80);
    const gaps: string[] = [];
    for (const [name, fn] of functions) {
      for (const args of JUNK) {
        const error = await rawErrorOf(fn as (...args: unknown[]) => unknown, args);
        if (error) {
          gaps.push(name);
          break;
        }
      }
    }
    expect(gaps.sort()).toEqual([...KNOWN_GAPS].sort());
  });
});

describe('closeControl() given a bad fd', () => {
  it('an fd that is not open (or negative) is a DmError EBADF; a non-number is invalid-argument EINVAL', () => {
    const fd = openSync('/dev/null', 'r');
    closeSync(fd); // now surely not open (this test opens nothing in between)
    for (const bad of [fd, -1]) {
      let error: unknown;
      try {
        lib.closeControl(bad);
      } catch (caught) {
        error = caught;
      }
      expect(error, String(bad)).toBeInstanceOf(lib.DmError);
      expect(error).toMatchObject({ kind: 'invalid-argument', code: 'EBADF', errno: 9 });
    }
    for (const junk of ['3', null, 1.5, Symbol('s')]) {
      expect(() => lib.closeControl(junk as never)).toThrow(expect.objectContaining({ kind: 'invalid-argument', code: 'EINVAL' }));
    }
  });

  it('closes an open fd', () => {
    const fd = openSync('/dev/null', 'r');
    lib.closeControl(fd);
    expect(() => closeSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });
});
